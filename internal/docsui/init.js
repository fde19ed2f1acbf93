// Starts Swagger UI on the element #swagger-ui, for the OpenAPI document
// named by its data-spec-url attribute. A file of its own rather than an
// inline script, so that the page's Content-Security-Policy can forbid
// inline scripts.
"use strict";
window.addEventListener("load", function () {
  var el = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: el.dataset.specUrl,
    domNode: el,
    deepLinking: true,
    displayOperationId: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 1,
    docExpansion: "list",
    filter: true,
    tryItOutEnabled: false,
    // The online validator badge would call swagger.io: the page must work,
    // and stay quiet, with no network.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});

package api

import "log/slog"

// RoutePatterns returns every route pattern that NewHandler registers on its
// mux: the operations, the OpenAPI document's routes and the docs page's.
func RoutePatterns() []string {
	_, patterns := newHandler(Config{Logger: slog.New(slog.DiscardHandler), Version: "test"})
	return patterns
}

// JSONFormat is the format the API writes JSON bodies with.
var JSONFormat = jsonFormat

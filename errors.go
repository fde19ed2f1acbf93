package blogd

import "errors"

// Kind classifies an error so that the HTTP layer can map it to a status code
// in one place.
type Kind int

// The error kinds of the domain.
const (
	// KindInternal is anything unexpected: a bug or a failing database.
	KindInternal Kind = iota
	// KindNotFound: the resource named by the path or by a referenced id does
	// not exist.
	KindNotFound
	// KindConflict: the change would break a uniqueness rule.
	KindConflict
	// KindInvalid: the request is well-formed but contradicts the data, such
	// as a reply to a comment of another post.
	KindInvalid
	// KindForbidden: the caller may not do this.
	KindForbidden
	// KindChanged: a conditional write found the resource changed since
	// the client read it.
	KindChanged
)

// Error is a domain error with a kind and a human sentence for the client.
type Error struct {
	Kind   Kind
	Detail string
}

// Error returns the detail sentence.
func (e *Error) Error() string { return e.Detail }

// ErrorKind returns the kind of the first *Error in err's chain, or
// KindInternal when there is none.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorDetail returns the detail of the first *Error in err's chain, or a
// generic sentence that reveals nothing of an internal error.
func ErrorDetail(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Detail
	}
	return "internal server error"
}

// The errors of the domain, each with the sentence a client reads in the
// problem's detail. The store and the HTTP layer return them (wrapped, with
// what was being done), the HTTP layer maps their kinds to statuses, and
// the OpenAPI document quotes them in its examples: each sentence is
// written here once. Match them with errors.Is.
var (
	ErrUserNotFound        = &Error{Kind: KindNotFound, Detail: "User not found"}
	ErrPostNotFound        = &Error{Kind: KindNotFound, Detail: "Post not found"}
	ErrCommentNotFound     = &Error{Kind: KindNotFound, Detail: "Comment not found"}
	ErrCategoryNotFound    = &Error{Kind: KindNotFound, Detail: "Category not found"}
	ErrRoleNotFound        = &Error{Kind: KindNotFound, Detail: "Role not found"}
	ErrProfileNotFound     = &Error{Kind: KindNotFound, Detail: "Profile not found for this user"}
	ErrParentNotFound      = &Error{Kind: KindNotFound, Detail: "Parent comment not found"}
	ErrRoleNotAssigned     = &Error{Kind: KindNotFound, Detail: "Role not assigned to this user"}
	ErrCategoryNotAssigned = &Error{Kind: KindNotFound, Detail: "Category not assigned to this post"}
	// ErrReferenceGone: a row the write refers to was deleted meanwhile.
	ErrReferenceGone = &Error{Kind: KindNotFound, Detail: "referenced resource not found"}

	ErrUsernameTaken     = &Error{Kind: KindConflict, Detail: "username already taken"}
	ErrEmailTaken        = &Error{Kind: KindConflict, Detail: "email already taken"}
	ErrCategoryNameTaken = &Error{Kind: KindConflict, Detail: "category name already taken"}
	ErrRoleNameTaken     = &Error{Kind: KindConflict, Detail: "role name already taken"}
	ErrProfileExists     = &Error{Kind: KindConflict, Detail: "Profile already exists for this user"}
	// ErrAlreadyExists is a uniqueness conflict that has no sentence of its
	// own above.
	ErrAlreadyExists = &Error{Kind: KindConflict, Detail: "resource already exists"}
	ErrBuiltinRole   = &Error{Kind: KindConflict, Detail: "The built-in roles admin and moderator cannot be renamed or deleted"}

	ErrParentOnOtherPost = &Error{Kind: KindInvalid, Detail: "Parent comment belongs to a different post"}

	ErrUserChanged     = &Error{Kind: KindChanged, Detail: "The user was changed by someone else; fetch it again"}
	ErrPostChanged     = &Error{Kind: KindChanged, Detail: "The post was changed by someone else; fetch it again"}
	ErrCommentChanged  = &Error{Kind: KindChanged, Detail: "The comment was changed by someone else; fetch it again"}
	ErrCategoryChanged = &Error{Kind: KindChanged, Detail: "The category was changed by someone else; fetch it again"}
	ErrRoleChanged     = &Error{Kind: KindChanged, Detail: "The role was changed by someone else; fetch it again"}
	ErrProfileChanged  = &Error{Kind: KindChanged, Detail: "The profile was changed by someone else; fetch it again"}

	ErrAdminsOnly            = &Error{Kind: KindForbidden, Detail: "Only admins may do this"}
	ErrNotYourAccount        = &Error{Kind: KindForbidden, Detail: "You may change only your own account"}
	ErrNotYourPost           = &Error{Kind: KindForbidden, Detail: "You may change only your own posts"}
	ErrNotYourComment        = &Error{Kind: KindForbidden, Detail: "You may change only your own comments"}
	ErrWriteAsYourself       = &Error{Kind: KindForbidden, Detail: "You may write only as yourself"}
	ErrCurrentPasswordNeeded = &Error{Kind: KindForbidden, Detail: "Changing your own password needs the current one (current_password)"}
	ErrCurrentPasswordWrong  = &Error{Kind: KindForbidden, Detail: "The current password is incorrect"}
	ErrTooManyWrongPasswords = &Error{Kind: KindForbidden, Detail: "Too many wrong passwords; try again later"}
)

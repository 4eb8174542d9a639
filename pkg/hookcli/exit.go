package hookcli

import (
	"context"
	"errors"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/flotilla/flotilla/pkg/backup"
	"github.com/flotilla/flotilla/pkg/cachepruner"
	"github.com/flotilla/flotilla/pkg/dbboot"
	"github.com/flotilla/flotilla/pkg/pgconn"
	"github.com/flotilla/flotilla/pkg/stsmigrate"
)

// Exit codes; the charts and operators rely on them.
const (
	exitOK          = 0
	exitFailure     = 1 // anything else
	exitUsage       = 2 // bad flags or arguments
	exitUnreachable = 3 // gave up: the server stayed unreachable until --timeout, or --timeout hit
	exitRejected    = 4 // wrong password, unknown role or missing database (S3: credentials, bucket): not retried
	exitPrivilege   = 5 // the role lacks a privilege (Kubernetes: RBAC forbids); the message names the grant
)

// usageError is a bad argument found while running a command: exit 2, no log line.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// isUsage reports a bad flag or argument, or a setting read from the database that is out of
// range (cachepruner.RangeError): exit 2 with the message alone, nothing was changed.
func isUsage(err error) bool {
	return errors.As(err, new(usageError)) || errors.As(err, new(*cachepruner.RangeError))
}

// exitCode maps a command's error to the exit code the charts and operators act on.
func exitCode(err error) int {
	var perm *dbboot.PermanentError
	var bootPriv *dbboot.PrivilegeError
	var prunePriv *cachepruner.PrivilegeError
	var redisErr *cachepruner.RedisError
	var store *backup.StoreError
	var kube *stsmigrate.StatusError
	switch {
	case errors.As(err, &kube) && kube.Forbidden():
		return exitPrivilege
	case errors.As(err, &redisErr) && redisErr.Rejected():
		return exitRejected
	case errors.As(err, &redisErr) && pgconn.Classify(redisErr.Err) == pgconn.Transient:
		return exitUnreachable
	case errors.As(err, &store) && store.Kind == backup.StoreUnreachable:
		return exitUnreachable
	case errors.As(err, &store) && (store.Kind == backup.StoreRejected || store.Kind == backup.StoreNoBucket):
		return exitRejected
	case errors.As(err, &bootPriv), errors.As(err, &prunePriv), apierrors.IsForbidden(err), pgconn.Classify(err) == pgconn.Privilege:
		return exitPrivilege
	case errors.As(err, &perm):
		return exitRejected
	case errors.Is(err, dbboot.ErrGaveUp), errors.Is(err, context.DeadlineExceeded), isStatementTimeout(err):
		return exitUnreachable
	}
	return exitFailure
}

func isStatementTimeout(err error) bool {
	return strings.Contains(err.Error(), "SQLSTATE 57014") // query_canceled (statement_timeout)
}

package store

import (
	"context"
	"database/sql"
	"time"
)

// The admins' changes to breach data and to the instance's settings, each
// with its entry in the activity log in one transaction: a change never
// happens unlogged, and a refused entry leaves the data as it was. The
// entries concern no account (ev.UserID stays 0); ev.At is the time of the
// change.

// dataLogged runs change at ev.At and appends ev in one transaction named
// op.
func (a *Auditor) dataLogged(ctx context.Context, op string, ev *Activity, change func(tx *sql.Tx, now time.Time) error) error {
	// As the log keeps it, so that the change and its entry bear one time.
	ev.stamp()
	return wrap(op, a.s.tx(ctx, func(tx *sql.Tx) error {
		if err := change(tx, ev.At); err != nil {
			return err
		}
		return a.append(ctx, tx, ev)
	}))
}

// EditBreach changes breach id's editable metadata and appends ev.
func (a *Auditor) EditBreach(ctx context.Context, id int64, e BreachEdit, ev *Activity) error {
	return a.dataLogged(ctx, "edit breach", ev, func(tx *sql.Tx, now time.Time) error {
		return editBreach(ctx, tx, id, e, now)
	})
}

// DeleteBreach removes breach id and all its records and appends ev.
func (a *Auditor) DeleteBreach(ctx context.Context, id int64, ev *Activity) error {
	return a.dataLogged(ctx, "delete breach", ev, func(tx *sql.Tx, _ time.Time) error {
		return deleteBreach(ctx, tx, id)
	})
}

// PutSetting stores value under key, replacing what was there, and
// appends ev.
func (a *Auditor) PutSetting(ctx context.Context, key string, value []byte, ev *Activity) error {
	return a.dataLogged(ctx, "put setting", ev, func(tx *sql.Tx, _ time.Time) error {
		return putSetting(ctx, tx, key, value)
	})
}

// DeleteSetting removes key, if it is there, and appends ev.
func (a *Auditor) DeleteSetting(ctx context.Context, key string, ev *Activity) error {
	return a.dataLogged(ctx, "delete setting", ev, func(tx *sql.Tx, _ time.Time) error {
		return deleteSetting(ctx, tx, key)
	})
}

// CreateImportJob records queued job j, made at ev.At, and appends ev,
// whose detail describe gives from the job (its id is known only inside
// the transaction); it returns the job's id.
func (a *Auditor) CreateImportJob(ctx context.Context, j ImportJob, ev *Activity, describe func(ImportJob) string) (int64, error) {
	err := a.dataLogged(ctx, "create import job", ev, func(tx *sql.Tx, now time.Time) (err error) {
		if j.ID, err = createImportJob(ctx, tx, j, now); err != nil {
			return err
		}
		ev.Detail = describe(j)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return j.ID, nil
}

// BeginPwnedSync is Store.BeginPwnedSync with ev appended in the same
// transaction, whose detail describe gives from the job begun or taken up
// again. The job's times are now, the clock its liveness is judged by;
// ev.At is the log's.
func (a *Auditor) BeginPwnedSync(ctx context.Context, c PwnedSyncClaim, live func(ImportJob) bool, now time.Time, ev *Activity, describe func(ImportJob) string) (job ImportJob, resumed bool, err error) {
	err = a.dataLogged(ctx, "begin pwned sync", ev, func(tx *sql.Tx, _ time.Time) (err error) {
		if job, resumed, err = beginPwnedSync(ctx, tx, c, live, now); err != nil {
			return err
		}
		ev.Detail = describe(job)
		return nil
	})
	return job, resumed, err
}

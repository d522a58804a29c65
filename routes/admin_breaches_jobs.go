package routes

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"pcmt/store"
	"pcmt/views"
)

// showImportJob renders an import job's page; under htmx, its progress
// panel alone, which polls itself until the job ends. The state is the
// job's row, so leaving and coming back shows where it got to.
func (h *Handler) showImportJob(c *fiber.Ctx) error {
	id, err := pathID(c)
	if err != nil {
		return err
	}
	job, err := h.store.ImportJobByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	v := jobView(&job, h.now())
	if wantsPanel(c) {
		return render(c, fiber.StatusOK, views.ImportJobPanel(v))
	}
	return render(c, fiber.StatusOK, views.AdminImportJob(h.page(c, "Import "+job.FileName), v))
}

func jobView(j *store.ImportJob, now time.Time) views.ImportJobView {
	v := views.ImportJobView{
		ID: j.ID, Origin: j.Origin, FileName: j.FileName, FileSize: j.FileSize, Format: j.Format,
		State: string(j.State), Phase: j.Phase, BytesDone: j.BytesDone,
		Records: j.Records, Skipped: j.Skipped, Invalid: j.Invalid, Error: j.Error, Summary: j.Summary,
		CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt, Now: now,
	}
	if j.IsSync() {
		// A sync's fingerprint is its corpus and its path the range API.
		v.Sync, v.Mode, v.Source = true, j.Fingerprint, j.Path
		v.RangesFetched, v.RangesUnchanged, v.RangesChanged, v.RangesFailed = j.RangesFetched, j.RangesUnchanged, j.RangesChanged, j.RangesFailed
	}
	return v
}

package routes

import (
	"errors"
	"io"
	"math"
	"mime/multipart"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"pcmt/apperr"
	"pcmt/breach"
	"pcmt/breaches"
	"pcmt/config"
	"pcmt/views"
)

const (
	// uploadTimeout bounds how long an upload may take to arrive: the
	// server's read timeout would cut a large one.
	uploadTimeout = time.Hour
	// maxUploadField bounds each text field of the upload form.
	maxUploadField = 64 << 10
	// uploadSlack is what the form's fields and the multipart framing add
	// to the file.
	uploadSlack = 1 << 20
	// maxFileName bounds the file name kept from the browser.
	maxFileName = 255
)

var (
	errNoImports = apperr.New(apperr.NotFound, "Uploads are not enabled on this server: use pcmt import.")
	errBadUpload = apperr.New(apperr.Invalid, "The upload was cut off or is not a form this page sent. Try again.")
	// errUploadTooLarge is an upload past the import size limit.
	errUploadTooLarge = errors.New("upload too large")
)

// showImport renders the upload form.
func (h *Handler) showImport(c *fiber.Ctx) error {
	if h.imports == nil {
		return errNoImports
	}
	return h.renderImport(c, fiber.StatusOK, views.ImportForm{})
}

func (h *Handler) renderImport(c *fiber.Ctx, status int, f views.ImportForm) error {
	f.MaxSize = config.ByteSize(h.imports.MaxSize()).Human()
	return render(c, status, views.AdminImport(h.page(c, "Import"), f))
}

// importUpload streams an uploaded file to disk, checks the form, and hands
// the file to the import jobs; the job's page shows its progress. limitBody
// has read the csrf field first and checkCSRF has checked it: nothing is
// written before that.
func (h *Handler) importUpload(c *fiber.Ctx) error {
	if h.imports == nil {
		return errNoImports
	}
	up, ok := c.Locals(localUpload).(*uploadBody)
	if !ok {
		return h.renderImport(c, fiber.StatusUnprocessableEntity, views.ImportForm{
			Errors: views.FieldErrors{"file": "Choose a file to import."}})
	}
	maxSize := h.imports.MaxSize()
	if maxSize <= 0 {
		maxSize = math.MaxInt64 - uploadSlack
	}
	if n := int64(c.Request().Header.ContentLength()); n > maxSize+uploadSlack {
		return h.refuseTooLarge(c)
	}
	up.limit.N = maxSize + uploadSlack
	_ = c.Context().SetReadDeadline(time.Now().Add(uploadTimeout)) // fails only on a test's fake connection

	f, file, err := h.receiveUpload(up, maxSize)
	switch {
	case errors.Is(err, errUploadTooLarge):
		return h.refuseTooLarge(c)
	case err != nil:
		h.log.Warn("upload refused", "err", err, "request_id", requestIDOf(c))
		c.Response().SetConnectionClose()
		return errBadUpload
	}
	o, errs := importOptions(f)
	if file == nil {
		errs["file"] = "Choose a file to import."
	} else if file.Size == 0 {
		errs["file"] = "The file is empty."
	}
	if len(errs) > 0 {
		if file != nil {
			_ = os.Remove(file.Path)
		}
		f.Errors = errs
		f.Message = "Nothing was imported. Please choose the file again."
		return h.renderImport(c, fiber.StatusUnprocessableEntity, f)
	}
	id, err := h.breaches.Upload(c.UserContext(), h.actor(c), *file, o)
	var fe *breach.FieldError
	switch {
	case errors.As(err, &fe):
		f.Errors = views.FieldErrors{fe.Field: fe.Msg}
		f.Message = "Nothing was imported. Please choose the file again."
		return h.renderImport(c, fiber.StatusUnprocessableEntity, f)
	case errors.Is(err, breach.ErrTooLarge):
		return h.refuseTooLarge(c)
	case err != nil:
		return err
	}
	h.log.Info("import uploaded", "job", id, "file", file.Name, "bytes", file.Size,
		"admin", currentUser(c).Username, "request_id", requestIDOf(c))
	return redirect(c, string(views.ImportJobView{ID: id}.Href()))
}

// refuseTooLarge answers 413 with the form and the limit beside the file
// field. The rest of the body is not read: the connection closes.
func (h *Handler) refuseTooLarge(c *fiber.Ctx) error {
	c.Response().SetConnectionClose()
	return h.renderImport(c, fiber.StatusRequestEntityTooLarge, views.ImportForm{Errors: views.FieldErrors{
		"file": "The file is larger than the import limit of " + config.ByteSize(h.imports.MaxSize()).Human() +
			". Import it on the server with pcmt import, or raise Import.MaxSize."}})
}

// receiveUpload reads the form part by part: the small fields into the
// form, the file to a new file in the jobs' directory, never into memory.
// On an error nothing is left on disk.
func (h *Handler) receiveUpload(up *uploadBody, maxSize int64) (f views.ImportForm, file *breach.Upload, err error) {
	fields := url.Values{}
	defer func() {
		f = importForm(fields)
		if err != nil && file != nil {
			_ = os.Remove(file.Path)
			file = nil
		}
	}()
	for {
		part, err := up.parts.NextPart()
		if errors.Is(err, io.EOF) {
			return f, file, nil
		}
		if err != nil {
			return f, file, tooLargeOr(up, err)
		}
		if part.FormName() == "file" && file == nil {
			file, err = h.saveUpload(part, maxSize)
			if err != nil {
				return f, file, tooLargeOr(up, err)
			}
			continue
		}
		value, err := io.ReadAll(io.LimitReader(part, maxUploadField+1))
		if err != nil {
			return f, file, tooLargeOr(up, err)
		}
		if len(value) > maxUploadField || part.FileName() != "" {
			return f, file, errors.New("upload: unexpected or oversized part " + part.FormName())
		}
		fields.Set(part.FormName(), strings.TrimSpace(string(value)))
	}
}

// tooLargeOr is errUploadTooLarge when the body ran past its cap, else err.
func tooLargeOr(up *uploadBody, err error) error {
	if up.limit.N <= 0 {
		return errUploadTooLarge
	}
	return err
}

// saveUpload copies the file part to a new file in the jobs' directory.
func (h *Handler) saveUpload(part *multipart.Part, maxSize int64) (*breach.Upload, error) {
	out, err := os.CreateTemp(h.imports.Dir(), "upload-*")
	if err != nil {
		return nil, err
	}
	file := &breach.Upload{Path: out.Name(), Name: uploadName(part.FileName())}
	n, err := io.Copy(out, io.LimitReader(part, maxSize+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	file.Size = n
	if err == nil && n > maxSize {
		err = errUploadTooLarge
	}
	if err != nil {
		_ = os.Remove(file.Path)
		return nil, err
	}
	return file, nil
}

// uploadName is the browser's file name made safe to keep and show.
func uploadName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	if r := []rune(strings.TrimSpace(name)); len(r) > maxFileName {
		name = string(r[:maxFileName])
	}
	if strings.TrimSpace(name) == "" {
		return "upload"
	}
	return strings.TrimSpace(name)
}

// importForm is the upload form's fields as the form shows them again.
func importForm(v url.Values) views.ImportForm {
	return views.ImportForm{Format: v.Get("format"), Kind: v.Get("kind"), Name: v.Get("name"),
		Replace: v.Get("replace") == "yes", Title: v.Get("title"), Date: v.Get("date"),
		Description: v.Get("description"), Verified: v.Get("verified") == "yes"}
}

// importOptions turns the form into the import's options; errors are keyed
// by field.
func importOptions(f views.ImportForm) (breach.Options, views.FieldErrors) {
	errs := views.FieldErrors{}
	o := breach.Options{Name: f.Name, Replace: f.Replace, Title: f.Title, Date: f.Date,
		Description: f.Description, Verified: f.Verified}
	if f.Format != "" {
		format, err := breach.ParseFormat(f.Format)
		if err != nil {
			errs["format"] = "Choose one of the formats listed."
		}
		o.Format = format
	}
	if f.Kind != "" {
		kind, err := breach.ParseKind(f.Kind)
		if err != nil {
			errs["kind"] = "Choose one of the kinds listed."
		}
		o.Kind = kind
	}
	if len(errs) > 0 {
		return o, errs
	}
	var fe *breach.FieldError
	if err := o.Validate(); errors.As(err, &fe) {
		errs[fe.Field] = breaches.FieldMessage(fe)
	} else if err != nil {
		errs["file"] = apperr.Message(err)
	}
	return o, errs
}

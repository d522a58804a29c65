package breaches

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"pcmt/breach"
	"pcmt/store"
)

// Edit is an admin's edit of a breach's details, as typed in the form.
type Edit struct {
	Title, Domain, Date, Description string
	// DataClasses is the classes separated by commas.
	DataClasses string
	Verified    bool
}

// badDate is the message of a date that is not one.
const badDate = "A date like 2024-01-31, or nothing when unknown."

// CheckEdit reads e into the store's edit and checks it at now with the
// rules of every breach's details (breach.CheckDetails, which imports
// follow too): the domain in lower case, the data classes trimmed and
// without repeats. A refusal is Refused, keyed by the form's fields. The
// name is not edited: it is not checked again.
func CheckEdit(e Edit, now time.Time) (store.BreachEdit, error) {
	refused := Refused{}
	out := store.BreachEdit{Title: e.Title, Domain: strings.ToLower(e.Domain), IsVerified: e.Verified, Description: e.Description}
	if e.Date != "" {
		d, err := time.Parse(time.DateOnly, e.Date)
		if err != nil {
			refused["date"] = badDate
		}
		out.Date = d
	}
	for _, class := range strings.Split(e.DataClasses, ",") {
		if class = strings.TrimSpace(class); class != "" && !slices.Contains(out.DataClasses, class) {
			out.DataClasses = append(out.DataClasses, class)
		}
	}
	d := breach.Details{Title: out.Title, Domain: out.Domain, Date: out.Date, Description: out.Description, DataClasses: out.DataClasses}
	for _, fe := range breach.CheckDetails(d, now) {
		refused[fe.Field] = FieldMessage(fe)
	}
	return out, refused.OrNil()
}

// EditBreach changes b's details to e, by CheckEdit's rules on the
// Service's clock, with a's log entry; b's records stay as they are.
func (s *Service) EditBreach(ctx context.Context, a Actor, b *store.Breach, e Edit) error {
	ev := s.entry(a, store.EventBreachEdited, b.Name)
	edit, err := CheckEdit(e, ev.At)
	if err != nil {
		return err
	}
	return s.audit.EditBreach(ctx, b.ID, edit, ev)
}

// CheckDelete is the rule of a breach's deletion: the admin types its
// name again, exactly, so that a slip of the mouse deletes nothing.
func CheckDelete(b *store.Breach, typed string) error {
	if typed != b.Name {
		return Refused{"confirm_name": "Type the breach name exactly as shown: " + b.Name + "."}
	}
	return nil
}

// DeleteBreach removes b and every record of it, when typed confirms it
// (CheckDelete), with a's log entry naming how many records went.
func (s *Service) DeleteBreach(ctx context.Context, a Actor, b *store.Breach, typed string) error {
	if err := CheckDelete(b, typed); err != nil {
		return err
	}
	return s.audit.DeleteBreach(ctx, b.ID, s.entry(a, store.EventBreachDeleted, fmt.Sprintf("%s (%d records)", b.Name, b.Records)))
}

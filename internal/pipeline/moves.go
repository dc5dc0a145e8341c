package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"ptdv/internal/apperr"
	"ptdv/internal/audit"
	"ptdv/internal/auth"
	"ptdv/internal/calendar"
	"ptdv/internal/member"
	"ptdv/internal/vn"
)

// OpenInput puts a person on a cell's source list.
type OpenInput struct {
	PersonID int64
	CellID   int64
	Proposer string // code list 'proposer': cell, youth_union, women_union, …
	HelperID *int64 // the full member assigned to follow and help
	Doc      Doc    // effective: the day the person was listed
}

// Open lists a person as a source of a cell and opens their case.
func Open(ctx context.Context, db bun.IDB, in OpenInput) (Case, error) {
	if _, err := requireWriter(ctx); err != nil {
		return Case{}, err
	}
	var out Case
	err := db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := auth.CheckUnits(ctx, tx, in.CellID); err != nil {
			return err
		}
		e, err := loadEnv(ctx, tx)
		if err != nil {
			return err
		}
		c, ev, err := opening(in, dbWorld{ctx, tx, e})
		if err != nil {
			return err
		}
		if err := tx.NewRaw(`INSERT INTO candidate_case (person_id, cell_id, proposer, stage, stage_since, listed_on, helper_id)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.PersonID, c.CellID, c.Proposer, c.Stage, c.StageSince, c.ListedOn, c.HelperID).
			Scan(ctx, &c.ID); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, &c, ev, e); err != nil {
			return err
		}
		out = c
		return audit.Record(ctx, tx, "case.listed", "candidate_case", fmt.Sprint(c.ID), nil, c)
	})
	if err != nil {
		return Case{}, translate(err)
	}
	return out, nil
}

// opening checks a listing and returns the new case (without its id) and its first event.
func opening(in OpenInput, w world) (Case, Event, error) {
	d, err := in.Doc.clean(false)
	if err != nil {
		return Case{}, Event{}, err
	}
	if err := checkCell(w, in.CellID, d.Effective); err != nil {
		return Case{}, Event{}, err
	}
	if err := checkCode(w, "proposer", in.Proposer, "proposer", "Nơi giới thiệu nguồn"); err != nil {
		return Case{}, Event{}, err
	}
	p, err := w.person(in.PersonID)
	if err != nil {
		return Case{}, Event{}, err
	}
	if p.UnitID != in.CellID {
		return Case{}, Event{}, apperr.Invalid("cellId", fmt.Sprintf("Hồ sơ của %s thuộc một chi bộ khác; hãy chuyển về chi bộ này trước.", p.FullName),
			"the person's records belong to another cell")
	}
	var warnings []string
	switch st := p.memberStatus(d.Effective); {
	case st == member.StatusRemoved || st == member.StatusExpelled:
		// A former member may be listed again: the re-admission rules apply at the decision. One
		// re-admission too many can never pass (refused now); an interval not yet over is a warning.
		if _, err := readmission(p, w.env(), d.Effective); err != nil {
			if e, _ := apperr.As(err); e == nil || e.Rule != RuleReadmissionMinMonths {
				return Case{}, Event{}, err
			} else {
				warnings = append(warnings, e.Message)
			}
		}
	case st == member.StatusDeceased:
		return Case{}, Event{}, apperr.Rule(RuleStageOrder, fmt.Sprintf("%s đã từ trần.", p.FullName), "the person is deceased")
	case st != "":
		return Case{}, Event{}, apperr.Rule(RuleStageOrder, fmt.Sprintf("%s đang là đảng viên.", p.FullName), "the person is a member")
	}
	if in.HelperID != nil {
		if err := requireFullMember(w, *in.HelperID, d.Effective, "helperId", RuleHelperFullMember); err != nil {
			return Case{}, Event{}, err
		}
	}
	c := Case{PersonID: in.PersonID, CellID: in.CellID, Proposer: in.Proposer, Stage: StageSource,
		StageSince: d.Effective, ListedOn: d.Effective, HelperID: in.HelperID, Version: 1, Warnings: warnings}
	ev := eventOf(d)
	ev.Kind = "listed"
	ev.Details = jsonOf(map[string]any{"proposer": in.Proposer})
	return c, ev, nil
}

// CompleteCourse records the awareness-course certificate (CN-NTVĐ). A later certificate may
// replace an expired one while the case is still before the cell's resolution.
func CompleteCourse(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc) (Case, error) {
	return Apply(ctx, db, caseID, version, Certificate(d))
}

// Certificate is the move of CompleteCourse.
func Certificate(d Doc) Step {
	return Step{kind: "course_completed", input: d, apply: func(c *Case, w world) (Event, error) {
		d, err := d.from(c, false, StageSource, StageCourseDone, StageDossier)
		if err != nil {
			return Event{}, err
		}
		c.CertificateOn = &d.Effective
		if c.Stage == StageSource {
			advance(c, StageCourseDone, d.Effective)
		}
		return eventOf(d), nil
	}}
}

// SponsorInput is one sponsor of a dossier (form 3-KNĐ).
type SponsorInput struct {
	PersonID   int64
	KnownSince time.Time // since when they worked or studied with the candidate in the same unit
	LetterOn   time.Time
}

// DossierInput completes the dossier: application (1-KNĐ), biography (2-KNĐ), sponsors (3-KNĐ), the
// Youth Union's resolution where it applies (4-KNĐ), comments of mass organizations and residence
// (5-KNĐ), and the background check.
type DossierInput struct {
	Doc                  Doc // effective: the day the dossier was complete
	ApplicationOn        time.Time
	BiographyOn          time.Time
	Sponsors             []SponsorInput
	YouthUnionResolution *Doc
	CommentsOn           time.Time
	BackgroundCheckOn    time.Time
}

// CompleteDossier records a complete dossier, checking the certificate and the sponsors.
func CompleteDossier(ctx context.Context, db bun.IDB, caseID int64, version int, in DossierInput) (Case, error) {
	return Apply(ctx, db, caseID, version, Dossier(in))
}

// Dossier is the move of CompleteDossier.
func Dossier(in DossierInput) Step {
	return Step{kind: "dossier_completed", input: in, apply: func(c *Case, w world) (Event, error) {
		e := w.env()
		d, err := in.Doc.clean(false)
		if err != nil {
			return Event{}, err
		}
		if err := stageIs(c, StageCourseDone, StageDossier); err != nil { // a stale dossier is redone
			return Event{}, err
		}
		for name, t := range map[string]time.Time{"applicationOn": in.ApplicationOn, "biographyOn": in.BiographyOn,
			"commentsOn": in.CommentsOn, "backgroundCheckOn": in.BackgroundCheckOn} {
			if t.IsZero() || vn.Day(t).After(d.Effective) || t.Year() < 1900 {
				return Event{}, apperr.Invalid(name, "Cần ngày của từng giấy tờ trong hồ sơ, không sau ngày hoàn thiện hồ sơ.",
					name+" is required and must not be after the dossier date")
			}
		}
		if err := certificateValid(c, e, d.Effective); err != nil {
			return Event{}, err
		}
		p, err := w.person(c.PersonID)
		if err != nil {
			return Event{}, err
		}
		need := e.rules.V(RuleSponsorCount)
		rule := RuleSponsorCount
		if in.YouthUnionResolution != nil {
			yu, err := in.YouthUnionResolution.clean(true)
			if err != nil {
				return Event{}, err
			}
			in.YouthUnionResolution = &yu
			if !p.YouthUnionMember || calendar.MonthsBetween(p.BirthDate, d.Effective) >= 12*(e.rules.V(RuleYouthAge)+1) {
				return Event{}, apperr.Rule(RuleSponsorYouth,
					fmt.Sprintf("%s không ở tuổi đoàn hoặc không là đoàn viên: cần %d đảng viên chính thức giới thiệu.", p.FullName, need),
					"the Youth Union route needs a Youth Union member of Youth Union age")
			}
			need, rule = e.rules.V(RuleSponsorYouth), RuleSponsorYouth
		}
		if len(in.Sponsors) != need {
			return Event{}, apperr.Rule(rule,
				fmt.Sprintf("Cần đúng %d đảng viên chính thức giới thiệu (đã nhập %d).", need, len(in.Sponsors)),
				fmt.Sprintf("%d sponsors are needed, %d given", need, len(in.Sponsors)))
		}
		seen := map[int64]bool{}
		for _, s := range in.Sponsors {
			if seen[s.PersonID] || s.PersonID == c.PersonID {
				return Event{}, apperr.Invalid("sponsors", "Người giới thiệu bị trùng.", "sponsors repeat or include the candidate")
			}
			seen[s.PersonID] = true
			if err := requireFullMember(w, s.PersonID, d.Effective, "sponsors", RuleSponsorFullMember); err != nil {
				return Event{}, err
			}
			if s.KnownSince.IsZero() || calendar.MonthsBetween(vn.Day(s.KnownSince), d.Effective) < e.rules.V(RuleSponsorKnown) {
				return Event{}, apperr.Rule(RuleSponsorKnown,
					fmt.Sprintf("Người giới thiệu phải công tác, học tập cùng người vào Đảng ít nhất %d tháng (tính đến %s).",
						e.rules.V(RuleSponsorKnown), vn.Date(d.Effective)),
					"a sponsor must have known the candidate for the required months")
			}
		}
		sponsors := make([]SponsorInput, len(in.Sponsors))
		for i, sp := range in.Sponsors {
			sponsors[i] = SponsorInput{PersonID: sp.PersonID, KnownSince: vn.Day(sp.KnownSince), LetterOn: d.Effective}
			if !sp.LetterOn.IsZero() {
				sponsors[i].LetterOn = vn.Day(sp.LetterOn)
				// A sponsor's letter (3-KNĐ) is one of the dossier's papers: not after the dossier.
				if sponsors[i].LetterOn.After(d.Effective) || sp.LetterOn.Year() < 1900 {
					return Event{}, apperr.Invalid("letterOn", "Giấy giới thiệu (mẫu 3-KNĐ) không được sau ngày hoàn thiện hồ sơ.",
						"a sponsor's letter must not be after the dossier date")
				}
			}
		}
		if err := w.setSponsors(c, sponsors); err != nil {
			return Event{}, err
		}
		c.DossierOn = &d.Effective
		advance(c, StageDossier, d.Effective)
		ev := eventOf(d)
		ev.Form = "1-KNĐ, 2-KNĐ, 3-KNĐ, 5-KNĐ"
		if in.YouthUnionResolution != nil {
			ev.Form += ", 4-KNĐ"
		}
		ev.Details = jsonOf(map[string]any{"applicationOn": in.ApplicationOn, "biographyOn": in.BiographyOn, "commentsOn": in.CommentsOn,
			"backgroundCheckOn": in.BackgroundCheckOn, "sponsors": in.Sponsors, "youthUnionResolution": in.YouthUnionResolution})
		return ev, nil
	}}
}

// CellResolution records the cell's resolution (6-KNĐ), checking age, education, certificate,
// dossier freshness and the vote.
func CellResolution(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc, v Votes) (Case, error) {
	return Apply(ctx, db, caseID, version, CellVote(d, v))
}

// CellVote is the move of CellResolution.
func CellVote(d Doc, v Votes) Step {
	return Step{kind: "cell_resolved", input: map[string]any{"doc": d, "votes": v}, apply: func(c *Case, w world) (Event, error) {
		e := w.env()
		d, err := d.from(c, true, StageDossier)
		if err != nil {
			return Event{}, err
		}
		p, err := w.person(c.PersonID)
		if err != nil {
			return Event{}, err
		}
		age := calendar.MonthsBetween(p.BirthDate, d.Effective)
		if age < e.rules.V(RuleAgeMin) {
			return Event{}, apperr.Rule(RuleAgeMin,
				fmt.Sprintf("%s chưa đủ 18 tuổi vào ngày chi bộ xét (%s): mới %d tuổi %d tháng.", p.FullName, vn.Date(d.Effective), age/12, age%12),
				fmt.Sprintf("the candidate is under age on %s", d.Effective.Format(time.DateOnly)))
		}
		if age > e.rules.V(RuleAgeMax) && p.AgeException == "" {
			return Event{}, apperr.Rule(RuleAgeMax,
				fmt.Sprintf("%s đã quá 60 tuổi vào ngày chi bộ xét (%s); cần có ý kiến đồng ý của tỉnh ủy (ghi nhận ngoại lệ tuổi).", p.FullName, vn.Date(d.Effective)),
				"the candidate is over the age limit and has no provincial exception")
		}
		if p.EducationLevel < e.rules.V(RuleEducation) && p.EducationException == "" {
			return Event{}, apperr.Rule(RuleEducation,
				fmt.Sprintf("%s chưa tốt nghiệp trung học cơ sở và không thuộc diện ngoại lệ.", p.FullName),
				"the candidate lacks the minimum education and has no exception")
		}
		if err := certificateValid(c, e, d.Effective); err != nil {
			return Event{}, err
		}
		var late *Late
		if c.DossierOn != nil {
			if stale := calendar.AddMonths(*c.DossierOn, e.rules.V(RuleDossierStale)); d.Effective.After(stale) {
				late, err = e.missed(RuleDossierStale, stale, d.Effective, apperr.Rule(RuleDossierStale,
					fmt.Sprintf("Hồ sơ đã quá %d tháng (hoàn thiện ngày %s) mà chi bộ chưa xét: cần làm lại thư giới thiệu và nhận xét.",
						e.rules.V(RuleDossierStale), vn.Date(*c.DossierOn)),
					"the dossier is stale: sponsors' letters and comments must be redone"))
				if err != nil {
					return Event{}, err
				}
			}
		}
		if err := entitled(w, c.CellID, d.Effective, v); err != nil {
			return Event{}, err
		}
		if err := votes(e, "vote.cell", RuleCellVote, v, "chi bộ", "full members of the cell"); err != nil {
			return Event{}, err
		}
		c.CellResolutionOn = &d.Effective
		advance(c, StageCellResolution, d.Effective)
		ev := eventOf(d)
		ev.flag(late)
		ev.Form = "6-KNĐ"
		ev.VotesFor, ev.VotesEligible = &v.For, &v.Eligible
		return ev, nil
	}}
}

// CommitteeResolution records the grassroots committee's resolution (8-KNĐ).
func CommitteeResolution(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc, v Votes) (Case, error) {
	return Apply(ctx, db, caseID, version, CommitteeVote(d, v))
}

// CommitteeVote is the move of CommitteeResolution.
func CommitteeVote(d Doc, v Votes) Step {
	return Step{kind: "committee_resolved", input: map[string]any{"doc": d, "votes": v}, apply: func(c *Case, w world) (Event, error) {
		e := w.env()
		d, err := d.from(c, true, StageCellResolution)
		if err != nil {
			return Event{}, err
		}
		if err := votes(e, "vote.committee", RuleCommitteeVote, v, "đảng ủy", "committee members"); err != nil {
			return Event{}, err
		}
		c.CommitteeResolutionOn = &d.Effective
		advance(c, StageCommitteeResolution, d.Effective)
		ev := eventOf(d)
		ev.Form = "8-KNĐ"
		ev.VotesFor, ev.VotesEligible = &v.For, &v.Eligible
		return ev, nil
	}, perm: auth.PermCommitteeResolution}
}

// ExtendDecision records the one extension of the decision deadline the rules allow.
func ExtendDecision(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc) (Case, error) {
	return Apply(ctx, db, caseID, version, Extension(d))
}

// Extension is the move of ExtendDecision.
func Extension(d Doc) Step {
	return Step{kind: "decision_extended", input: d, apply: func(c *Case, w world) (Event, error) {
		e := w.env()
		d, err := d.from(c, true, StageCellResolution, StageCommitteeResolution)
		if err != nil {
			return Event{}, err
		}
		if c.Extensions >= e.rules.V(RuleExtensionsMax) {
			return Event{}, apperr.Rule(RuleExtensionsMax, "Thời hạn ra quyết định kết nạp chỉ được gia hạn một lần.", "the decision deadline may be extended only once")
		}
		var late *Late
		if due := decisionDue(*c, e); d.Effective.After(due) {
			late, err = e.missed(RuleDecisionDeadline, due, d.Effective, apperr.Rule(RuleDecisionDeadline,
				fmt.Sprintf("Đã quá hạn ra quyết định (%s); không thể gia hạn sau khi hết hạn.", vn.Date(due)),
				"the deadline has already passed"))
			if err != nil {
				return Event{}, err
			}
		}
		c.Extensions++
		c.DecisionExtendedOn = &d.Effective
		ev := eventOf(d)
		ev.flag(late)
		return ev, nil
	}, perm: auth.PermDecideAdmission}
}

// Decide records the admission decision (9-KNĐ), within the deadline in working days.
func Decide(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc) (Case, error) {
	return Apply(ctx, db, caseID, version, Decision(d))
}

// Decision is the move of Decide.
func Decision(d Doc) Step {
	return Step{kind: "decided", input: d, apply: func(c *Case, w world) (Event, error) {
		e := w.env()
		d, err := d.from(c, true, StageCommitteeResolution)
		if err != nil {
			return Event{}, err
		}
		p, err := w.person(c.PersonID)
		if err != nil {
			return Event{}, err
		}
		if _, err := readmission(p, e, d.Effective); err != nil { // a former member: the interval and the count
			return Event{}, err
		}
		var late *Late
		if due := decisionDue(*c, e); d.Effective.After(due) {
			late, err = e.missed(RuleDecisionDeadline, due, d.Effective, apperr.Rule(RuleDecisionDeadline,
				fmt.Sprintf("Quyết định kết nạp phải ban hành trong %d ngày làm việc kể từ nghị quyết chi bộ (hạn %s).",
					e.rules.V(RuleDecisionDeadline)+c.Extensions*e.rules.V(RuleDecisionExtension), vn.Date(due)),
				fmt.Sprintf("the decision is after its deadline %s", due.Format(time.DateOnly))))
			if err != nil {
				return Event{}, err
			}
		}
		c.DecisionOn, c.DecisionNo = &d.Effective, &d.Number
		advance(c, StageDecision, d.Effective)
		ev := eventOf(d)
		ev.flag(late)
		ev.Form = "9-KNĐ"
		return ev, nil
	}, perm: auth.PermDecideAdmission}
}

// HoldCeremony records the admission ceremony: probation starts, and the person becomes a
// probationary member (party age counts from the decision date).
func HoldCeremony(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc) (Case, error) {
	return Apply(ctx, db, caseID, version, Ceremony(d))
}

// Ceremony is the move of HoldCeremony.
func Ceremony(d Doc) Step {
	return Step{kind: "ceremony_held", input: d, apply: func(c *Case, w world) (Event, error) {
		e := w.env()
		d, err := d.from(c, false, StageDecision)
		if err != nil {
			return Event{}, err
		}
		var late *Late
		if due := e.cal.AddWorkingDays(*c.DecisionOn, e.rules.V(RuleCeremonyDeadline)); d.Effective.After(due) {
			late, err = e.missed(RuleCeremonyDeadline, due, d.Effective, apperr.Rule(RuleCeremonyDeadline,
				fmt.Sprintf("Lễ kết nạp phải tổ chức trong %d ngày làm việc kể từ khi nhận quyết định (hạn %s).", e.rules.V(RuleCeremonyDeadline), vn.Date(due)),
				fmt.Sprintf("the ceremony is after its deadline %s", due.Format(time.DateOnly))))
			if err != nil {
				return Event{}, err
			}
		}
		if d.Effective.Before(*c.DecisionOn) {
			return Event{}, apperr.Rule(RuleDateOrder, "Lễ kết nạp không thể trước ngày quyết định.", "the ceremony is before the decision")
		}
		c.CeremonyOn = &d.Effective
		advance(c, StageProbation, d.Effective)
		kind := member.KindAdmitted
		if p, err := w.person(c.PersonID); err != nil {
			return Event{}, err
		} else if st := p.memberStatus(d.Effective); st == member.StatusRemoved || st == member.StatusExpelled {
			kind = member.KindReadmitted // the member rules check the interval and the count
		}
		if err := w.recordMember(c, kind, d.Effective, c.DecisionOn, *c.DecisionNo); err != nil {
			return Event{}, err
		}
		ev := eventOf(d)
		ev.flag(late)
		return ev, nil
	}}
}

// RecognitionVote records the cell's vote on recognizing a probationary member as a full member
// (10-KNĐ self-assessment and 11-KNĐ helper's comments attached). A vote that passes makes the person a
// full member from the end of the 12 months, even if decided late; one that fails keeps the
// probation, up to the allowed number of rounds.
func RecognitionVote(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc, v Votes) (Case, error) {
	return Apply(ctx, db, caseID, version, Recognition(d, v))
}

// Recognition is the move of RecognitionVote.
func Recognition(d Doc, v Votes) Step {
	return Step{kind: "recognition_vote", input: map[string]any{"doc": d, "votes": v}, apply: func(c *Case, w world) (Event, error) {
		e := w.env()
		d, err := d.from(c, true, StageProbation)
		if err != nil {
			return Event{}, err
		}
		end := calendar.AddMonths(*c.CeremonyOn, e.rules.V(RuleProbation))
		if d.Effective.Before(end) {
			return Event{}, apperr.Rule(RuleProbation,
				fmt.Sprintf("Chưa hết %d tháng dự bị (đến %s).", e.rules.V(RuleProbation), vn.Date(end)),
				fmt.Sprintf("probation runs until %s", end.Format(time.DateOnly)))
		}
		if v.Eligible <= 0 || v.For < 0 || v.For > v.Eligible {
			return Event{}, apperr.Invalid("votes", "Số phiếu không hợp lệ.", "invalid votes")
		}
		if err := entitled(w, c.CellID, d.Effective, v); err != nil {
			return Event{}, err
		}
		if c.RecognitionRounds >= e.rules.V(RuleRecognitionRounds) {
			return Event{}, apperr.Rule(RuleRecognitionRounds,
				fmt.Sprintf("Đã biểu quyết %d lần không đạt: cần báo cáo cấp ủy cấp trên xem xét.", c.RecognitionRounds),
				"the allowed recognition rounds are used up; escalate")
		}
		c.RecognitionRounds++
		c.VoteDays = append(slices.Clone(c.VoteDays), d.Effective) // a clone: a refused draft keeps its own
		ev := eventOf(d)
		if due := e.cal.AddWorkingDays(end, e.rules.V(RuleRecognitionDue)); e.history && d.Effective.After(due) {
			// Never refused, new or old: full membership dates from the end of the 12 months even when
			// decided late. A fact of the past is flagged like the other missed deadlines.
			ev.flag(&Late{Rule: RuleRecognitionDue, WorkingDays: max(1, e.cal.WorkingDaysBetween(due, d.Effective))})
		}
		ev.Form = "10-KNĐ, 11-KNĐ"
		ev.VotesFor, ev.VotesEligible = &v.For, &v.Eligible
		if !e.rules.Passes("vote.recognition", v.For, v.Eligible) {
			ev.Details = jsonOf(map[string]any{"passed": false})
			return ev, nil
		}
		c.RecognizedOn = &end
		now := d.Effective
		c.ClosedOn = &now
		advance(c, StageFullMember, d.Effective)
		ev.Details = jsonOf(map[string]any{"passed": true, "fullMemberFrom": end})
		return ev, w.recordMember(c, member.KindRecognized, end, nil, d.Number)
	}}
}

// Remove records that a probationary member was not recognized (xóa tên).
func Remove(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc, reason string) (Case, error) {
	return Apply(ctx, db, caseID, version, Removal(d, reason))
}

// Removal is the move of Remove.
func Removal(d Doc, reason string) Step {
	return Step{kind: "removed", input: map[string]any{"doc": d, "reason": reason}, apply: func(c *Case, w world) (Event, error) {
		d, err := d.from(c, true, StageProbation)
		if err != nil {
			return Event{}, err
		}
		if err := checkCode(w, "leave_reason", reason, "reason", "Lý do"); err != nil {
			return Event{}, err
		}
		c.ClosedOn, c.CloseReason = &d.Effective, &reason
		advance(c, StageRemoved, d.Effective)
		ev := eventOf(d)
		ev.Reason = &reason
		return ev, w.recordMember(c, member.KindRemoved, d.Effective, nil, d.Number)
	}}
}

// Leave takes a candidate out of the pipeline before admission (moved away, declined, not
// approved, …) with a reason from the code list.
func Leave(ctx context.Context, db bun.IDB, caseID int64, version int, d Doc, reason string) (Case, error) {
	return Apply(ctx, db, caseID, version, Leaving(d, reason))
}

// Leaving is the move of Leave.
func Leaving(d Doc, reason string) Step {
	return Step{kind: "left", input: map[string]any{"doc": d, "reason": reason}, apply: func(c *Case, w world) (Event, error) {
		d, err := d.clean(false)
		if err != nil {
			return Event{}, err
		}
		if stageIndex(c.Stage) >= stageIndex(StageProbation) {
			return Event{}, apperr.Rule(RuleStageOrder, "Đảng viên dự bị không ra khỏi danh sách nguồn: dùng xóa tên.", "a probationary member is removed, not left")
		}
		if err := checkCode(w, "leave_reason", reason, "reason", "Lý do"); err != nil {
			return Event{}, err
		}
		c.ClosedOn, c.CloseReason = &d.Effective, &reason
		advance(c, StageLeft, d.Effective)
		ev := eventOf(d)
		ev.Reason = &reason
		return ev, nil
	}}
}

// AssignHelper assigns the full member who follows and helps the candidate or probationary member.
func AssignHelper(ctx context.Context, db bun.IDB, caseID int64, version int, helperID int64, d Doc) (Case, error) {
	return Apply(ctx, db, caseID, version, Helper(helperID, d))
}

// Helper is the move of AssignHelper.
func Helper(helperID int64, d Doc) Step {
	return Step{kind: "helper_assigned", input: map[string]any{"helperId": helperID, "doc": d}, apply: func(c *Case, w world) (Event, error) {
		d, err := d.clean(false)
		if err != nil {
			return Event{}, err
		}
		if err := requireFullMember(w, helperID, d.Effective, "helperId", RuleHelperFullMember); err != nil {
			return Event{}, err
		}
		c.HelperID, c.HelperSince = &helperID, &d.Effective
		ev := eventOf(d)
		ev.Details = jsonOf(map[string]any{"helperId": helperID})
		return ev, nil
	}}
}

func certificateValid(c *Case, e env, on time.Time) error {
	if c.CertificateOn == nil {
		return apperr.Rule(RuleCertificate, "Chưa có giấy chứng nhận bồi dưỡng nhận thức về Đảng.", "no awareness-course certificate")
	}
	if exp := calendar.AddMonths(*c.CertificateOn, e.rules.V(RuleCertificate)); !on.Before(exp) {
		return apperr.Rule(RuleCertificate,
			fmt.Sprintf("Chứng chỉ bồi dưỡng nhận thức về Đảng đã hết hạn ngày %s.", vn.Date(exp)),
			fmt.Sprintf("the awareness-course certificate expired on %s", exp.Format(time.DateOnly)))
	}
	return nil
}

// entitled checks the number entitled to vote against the cell's full members on the date (30 of 40
// once passed in a cell of 6 full members): the threshold is a share of the full members, so the
// number is a fact the records hold, not the caller's to choose.
func entitled(w world, cellID int64, on time.Time, v Votes) error {
	n, err := w.fullMembers(cellID, on)
	if err != nil {
		return err
	}
	if v.Eligible != n {
		return apperr.Invalid("votes.eligible",
			fmt.Sprintf("Ngày %s chi bộ có %d đảng viên chính thức; tổng số có quyền biểu quyết phải là %d (đã nhập %d).", vn.Date(on), n, n, v.Eligible),
			fmt.Sprintf("the cell has %d full members on %s, not %d", n, on.Format(time.DateOnly), v.Eligible))
	}
	return nil
}

func votes(e env, vote, rule string, v Votes, who, whoEN string) error {
	if v.Eligible <= 0 || v.For < 0 || v.For > v.Eligible {
		return apperr.Invalid("votes", "Số phiếu không hợp lệ: số tán thành phải từ 0 đến tổng số có quyền biểu quyết.", "invalid votes")
	}
	if !e.rules.Passes(vote, v.For, v.Eligible) {
		return apperr.Rule(rule,
			fmt.Sprintf("Nghị quyết %s chưa đạt %d/%d số tán thành (%d/%d).", who, e.rules.V(vote+".numerator"), e.rules.V(vote+".denominator"), v.For, v.Eligible),
			fmt.Sprintf("the vote of the %s is below %d/%d", whoEN, e.rules.V(vote+".numerator"), e.rules.V(vote+".denominator")))
	}
	return nil
}

// decisionDue is the last day for the admission decision: working days from the cell's resolution,
// plus the extensions recorded.
func decisionDue(c Case, e env) time.Time {
	n := e.rules.V(RuleDecisionDeadline) + c.Extensions*e.rules.V(RuleDecisionExtension)
	return e.cal.AddWorkingDays(*c.CellResolutionOn, n)
}

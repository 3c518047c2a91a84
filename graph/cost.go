package graph

import (
	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/service"
)

// Costs of fields by what they do, in units of one read of a document by
// id (a plain field costs 1, gqlgen's default). Measured on the embedded
// store: a ledger computed 14 ms, a checkPlan 24 ms, a plan read 9 ms.
// The default limit (server.Config.MaxComplexity) is a few seconds of
// such work at most; aliases multiply costs like any other repeat.
const (
	costCompute = 100 // a read of many documents and a computation over them (ledger, rules, a diff)
	costRender  = 200 // a queued render: a worker's seconds of CPU
	costBundle  = 500 // a queued bundle: every evidence file merged
	costUpload  = 200 // a file read, checked, hashed and stored
	costWrite   = 20  // a mutation: a few reads, a write, an audit event, events
)

// setCosts prices the fields that read or compute much, and every
// mutation (see SetComplexity for list fields).
func setCosts(c *ComplexityRoot) {
	plus := func(base int) func(int) int { return func(child int) int { return base + child } }

	// Reads that compute.
	// Each id of nodes is a read of its own.
	c.Query.Nodes = func(child int, ids []string) int { return len(ids) * (1 + child) }
	c.Query.CheckPlan = func(child int, _ string, _ cynllun.Content) int { return costCompute + 20*child }
	c.Query.CompareVersions = func(child int, _ string, _, _ int, _ *cynllun.Language) int { return costCompute + 50*child }
	c.Query.CalculateDeadline = func(child int, _ string, _ cynllun.Date, _ *string, _ *service.Counting, _ *bool) int {
		return 20 + child
	}
	c.Query.Calendar = func(child int, _ string) int { return 10 + child }
	c.Query.PlanRules = func(child int) int { return 1 + 30*child }
	c.Query.StatutoryRules = func(child int) int { return 1 + 30*child }
	c.Query.Routes = func(child int, _ *cynllun.DisputedKind, _ *cynllun.OrgKind) int { return 1 + 48*child }
	c.Query.FormDefinition = func(child int, _ *string) int { return 10 + child }
	c.Plan.Ledger = func(child int, _, _ *cynllun.Date, _ *string, _ *int) int { return costCompute + child }
	c.Review.Ledger = plus(costCompute)
	c.PlanLedger.Rows = func(child int) int { return 1 + 20*child }
	c.RowLedger.Periods = func(child int) int { return 1 + 12*child }
	c.PlanVersion.Findings = func(child int) int { return costCompute/2 + 20*child }
	c.Review.Findings = func(child int) int { return costCompute/2 + 20*child }
	c.Review.Checklist = func(child int) int { return 20 + 10*child }
	c.ReviewRevision.Findings = func(child int) int { return costCompute/2 + 20*child }
	c.ReviewRevision.Checklist = func(child int) int { return 20 + 10*child }
	c.ReviewRevision.MeetingRecords = func(child int) int { return 1 + 10*child }
	c.Deadline.Calculation = plus(20)
	c.Organisation.Calendar = plus(10)
	c.File.DownloadURL = func(child int, _ *int) int { return 5 + child }
	c.Bundle.Manifest = plus(10)
	// A plan's history reads its versions' metadata (by _id) and the
	// learner's handover; its entries are priced as a list of 20.
	c.Plan.History = func(child int) int { return 10 + 20*child }

	// Totals: counting walks an index (deadlines up to service.MaxCount
	// entries, an audit trail an hour at a time, a caseload a month at a
	// time, learners found by name every learner in scope); a version
	// count is the plan's head. A connection's cost is its page size times
	// its selection, so a total is priced per item of the page (a page of
	// 50 deadlines with its total costs 500 more than without).
	c.DeadlineConnection.TotalCount = func(int) int { return 10 }
	c.AuditEventConnection.TotalCount = func(int) int { return 5 }
	c.CaseConnection.TotalCount = func(int) int { return 5 }
	c.ReviewConnection.TotalCount = func(int) int { return 5 }
	c.LearnerConnection.TotalCount = func(int) int { return 2 }
	c.SearchConnection.TotalCount = func(int) int { return 2 }

	// Lists read from the store.
	c.PlanVersion.Renders = func(child int) int { return 1 + 10*child }
	c.Review.MeetingRecords = func(child int) int { return 1 + 10*child }
	c.Learner.Access = func(child int) int { return 1 + 10*child }
	// Invitation lists are one lookup document each (a handful of items).
	c.Query.InvitationsSent = func(child int, _ *string) int { return 2 + 10*child }
	c.Query.InvitationsForMe = func(child int) int { return 2 + 10*child }
	// The retention list is one lookup document and a page of reviews.
	c.Query.RetentionReviews = func(child int, _ *cynllun.RetentionStatus, first *int, _ *string) int {
		n := service.MaxRetentionPage
		if first != nil && *first > 0 && *first < n {
			n = *first
		}
		return 2 + n*child
	}
	c.Learner.Events = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 50)*child
	}
	c.User.Relationships = func(child int) int { return 1 + 10*child }
	c.Deadline.Notices = func(child int, first *int, _ *string, last *int, _ *string) int {
		return 1 + typical(first, last, 10)*child
	}
	c.Organisation.WebhookEndpoints = func(child int) int { return 1 + 10*child }

	// Mutations: every one writes; renders, bundles and uploads do much
	// more.
	c.Mutation.CreateOrganisation = func(child int, _ service.OrganisationInput) int { return costWrite + child }
	c.Mutation.CreateUser = func(child int, _ service.UserInput) int { return costWrite + child }
	c.Mutation.GrantAccess = func(child int, _ service.GrantInput) int { return costWrite + child }
	c.Mutation.RevokeAccess = func(child int, _ RevokeAccessInput) int { return costWrite + child }
	// An invitation is a write and an email sent over SMTP.
	c.Mutation.InviteAdvocate = func(child int, _ InviteAdvocateInput) int { return 5*costWrite + child }
	c.Mutation.CancelInvitation = func(child int, _ CancelInvitationInput) int { return costWrite + child }
	c.Mutation.ApproveErasure = func(child int, _ ApproveErasureInput) int { return costWrite + child }
	c.Mutation.AcceptInvitation = func(child int, _ AcceptInvitationInput) int { return costWrite + child }
	c.Mutation.CreateLearner = func(child int, _ service.LearnerInput) int { return costWrite + child }
	c.Mutation.UpdateLearner = func(child int, _ UpdateLearnerInput) int { return costWrite + child }
	c.Mutation.CreatePlan = func(child int, _ service.PlanInput) int { return costWrite + child }
	c.Mutation.SaveVersion = func(child int, _ service.SaveInput) int { return costCompute + child }
	c.Mutation.RenderPlan = func(child int, _ RenderPlanInput) int { return costRender + child }
	// A subject access export reads the learner's whole record and may
	// render PDFs of versions never rendered: priced as a bundle.
	c.Mutation.ExportSubjectAccess = func(child int, _ ExportSubjectAccessInput) int { return costBundle + child }
	c.Mutation.RequestReview = func(child int, _ service.RequestReviewInput) int { return 2*costWrite + child }
	c.Mutation.DecideReviewRequest = func(child int, _ service.DecideRequestInput) int { return costWrite + child }
	c.Mutation.CancelReview = func(child int, _ service.CancelReviewInput) int { return costWrite + child }
	c.Mutation.OpenReview = func(child int, _ service.OpenReviewInput) int { return 2*costWrite + child }
	c.Mutation.SaveReview = func(child int, _ service.SaveReviewInput) int { return 2*costWrite + child }
	c.Mutation.ConcludeReview = func(child int, _ service.ConcludeInput) int { return costCompute + child }
	c.Mutation.RenderMeetingRecord = func(child int, _ RenderMeetingRecordInput) int { return costRender + child }
	c.Mutation.UploadAttachment = func(child int, _ UploadAttachmentInput) int { return costUpload + child }
	c.Mutation.RecordSessions = func(child int, in RecordSessionsInput) int {
		return costWrite + len(in.Sessions) + 10*child
	}
	c.Mutation.VoidSession = func(child int, _ VoidSessionInput) int { return costWrite + child }
	c.Mutation.RecordStatutoryEvent = func(child int, _ service.EventInput) int { return 2*costWrite + child }
	// The lifecycle: a plan's and a learner's writes, clocks carried,
	// closed and started, events and audit.
	c.Mutation.TransferPlan = func(child int, _ TransferPlanInput) int { return 3*costWrite + child }
	c.Mutation.TakeOverPlan = func(child int, _ TakeOverPlanInput) int { return 3*costWrite + child }
	c.Mutation.CeasePlan = func(child int, _ CeasePlanInput) int { return 3*costWrite + child }
	c.Mutation.RecordYoungPersonHandover = func(child int, _ RecordYoungPersonHandoverInput) int { return 3*costWrite + child }
	c.Mutation.MarkDeadlineNotApplicable = func(child int, _ MarkDeadlineNotApplicableInput) int { return costWrite + child }
	c.Mutation.SetCalendar = func(child int, _ SetCalendarInput) int { return 2*costWrite + child }
	c.Mutation.ImportCalendar = func(child int, _ ImportCalendarInput) int { return costCompute + child }
	c.Mutation.CreateWebhookEndpoint = func(child int, _ CreateWebhookEndpointInput) int { return costWrite + child }
	c.Mutation.RotateWebhookSecret = func(child int, _ RotateWebhookSecretInput) int { return costWrite + child }
	c.Mutation.SetWebhookEndpointActive = func(child int, _ SetWebhookEndpointActiveInput) int { return costWrite + child }
	c.Mutation.OpenCase = func(child int, _ service.OpenCaseInput) int { return 2*costWrite + child }
	c.Mutation.UpdateCase = func(child int, _ service.UpdateCaseInput) int { return costWrite + child }
	c.Mutation.SetBundleSpec = func(child int, _ BundleSpecInput) int { return costWrite + child }
	c.Mutation.AddEvidence = func(child int, _ AddEvidenceInput) int { return costUpload + child }
	c.Mutation.WithdrawEvidence = func(child int, _ WithdrawEvidenceInput) int { return costWrite + child }
	c.Mutation.ReinstateEvidence = func(child int, _ ReinstateEvidenceInput) int { return costWrite + child }
	c.Mutation.DiscloseEvidence = func(child int, _ DiscloseEvidenceInput) int { return costWrite + child }
	c.Mutation.RenderBundle = func(child int, _ RenderBundleInput) int { return costBundle + child }
}

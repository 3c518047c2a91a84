package cynllun

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// JobKind names what a job does.
type JobKind string

const (
	// JobRenderPlan renders one version of a plan to PDF.
	JobRenderPlan JobKind = "RENDER_PLAN"
	// JobRenderMeeting renders one revision of a review's meeting record.
	JobRenderMeeting JobKind = "RENDER_MEETING_RECORD"
	// JobRenderBundle renders one version of a case's tribunal bundle.
	JobRenderBundle JobKind = "RENDER_BUNDLE"
	// JobSubjectAccess builds the subject access export of a learner's
	// record (subjectaccess.go).
	JobSubjectAccess JobKind = "SUBJECT_ACCESS_EXPORT"
)

// JobStatus is where a job is in its life.
type JobStatus string

const (
	JobPending   JobStatus = "PENDING"   // written, queued or waiting to be queued again
	JobRunning   JobStatus = "RUNNING"   // a worker is on it (or was, and died)
	JobSucceeded JobStatus = "SUCCEEDED" // done; FileID names the result
	JobFailed    JobStatus = "FAILED"    // given up; ErrorCode says why
)

// Finished reports whether the job will not change again.
func (s JobStatus) Finished() bool { return s == JobSucceeded || s == JobFailed }

// RenderLanguage is the language of a rendered document.
type RenderLanguage string

const (
	RenderEN        RenderLanguage = "EN"
	RenderCY        RenderLanguage = "CY"
	RenderBilingual RenderLanguage = "BILINGUAL"
)

// Valid reports whether l is a known render language.
func (l RenderLanguage) Valid() bool {
	return l == RenderEN || l == RenderCY || l == RenderBilingual
}

// JobPriority says which queue a job goes to: a person waiting, or bulk.
type JobPriority string

const (
	PriorityInteractive JobPriority = "INTERACTIVE"
	PriorityBulk        JobPriority = "BULK"
)

// Job is a piece of asynchronous work. The job document in the database is
// the truth (an outbox); the queue only carries its id, which is also the
// queue's task id, so a job is never queued twice at once.
type Job struct {
	ID       string
	Kind     JobKind
	Priority JobPriority
	Status   JobStatus
	// Attempts counts the times a worker started the job.
	Attempts int
	// ErrorCode is set when the last attempt failed (and stays on FAILED).
	ErrorCode Code
	// What a render job renders.
	LearnerID string
	PlanID    string
	Version   int
	Language  RenderLanguage
	// PlanCheck adds the plan check page (drafts) to a plan render.
	PlanCheck bool
	// What a meeting-record job renders (with PlanID and LearnerID).
	ReviewID string
	Revision int
	// What a bundle job renders (with LearnerID).
	CaseID   string
	BundleID string
	// FileID names the result of a SUCCEEDED job.
	FileID string
	// HTMLFileID names the accessible HTML rendition of a SUCCEEDED plan
	// or meeting-record render, made by the same job after the PDF
	// (bundles are PDF only).
	HTMLFileID string
	CreatedAt  time.Time
	CreatedBy  string
	// RequestID is the id of the API request that started the job ("" for
	// one started outside a request): its task carries it, so the
	// worker's log lines for the job can be found beside the request's.
	RequestID  string
	UpdatedAt  time.Time
	StartedAt  time.Time // zero until a worker starts it
	FinishedAt time.Time // zero until it finishes
}

// LacksHTML reports whether j is a plan or meeting-record render that
// succeeded without an HTML rendition: it finished before renders made
// one, so asking again renders anew rather than returning it.
func (j *Job) LacksHTML() bool {
	return j.Status == JobSucceeded && j.HTMLFileID == "" && (j.Kind == JobRenderPlan || j.Kind == JobRenderMeeting)
}

// RenderJobID is the deterministic id of the generation-th render job of a
// plan version in a language. Two requests racing to start the same render
// insert the same id, so the unique _id turns the loser into a CONFLICT
// that reads the winner's job. Ids carry no personal data.
func RenderJobID(planID string, version int, lang RenderLanguage, generation int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/v%d/%s", planID, version, lang))
	return fmt.Sprintf("%s%s_%d", PrefixJob, hex.EncodeToString(sum[:10]), generation)
}

// PlanCheckJobID is RenderJobID for a render with the plan check page.
func PlanCheckJobID(planID string, version int, lang RenderLanguage, generation int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/v%d/%s/check", planID, version, lang))
	return fmt.Sprintf("%s%s_%d", PrefixJob, hex.EncodeToString(sum[:10]), generation)
}

// MeetingJobID is the deterministic id of the generation-th render of one
// revision of a review's meeting record in a language.
func MeetingJobID(reviewID string, revision int, lang RenderLanguage, generation int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "meeting/%s/r%d/%s", reviewID, revision, lang))
	return fmt.Sprintf("%s%s_%d", PrefixJob, hex.EncodeToString(sum[:10]), generation)
}

// FileKind says where a file came from.
type FileKind string

const (
	FileRendered FileKind = "RENDERED" // made by a render job
	FileUpload   FileKind = "UPLOAD"   // uploaded by a user (an attachment)
	// FileExport is a subject access export archive (subjectaccess.go).
	FileExport FileKind = "EXPORT"
)

// File is a stored document (a rendered PDF or an uploaded attachment): its
// bytes live in GridFS, with their SHA-256.
type File struct {
	ID          string
	Name        string // download file name, UTF-8
	ContentType string
	Size        int64
	Pages       int
	SHA256      string // hex
	// Whose record the file belongs to: access to it is access to them.
	LearnerID string
	PlanID    string
	Version   int
	// ReviewID is set on rendered meeting records.
	ReviewID string
	// CaseID is set on a case's evidence and bundles: access to them is
	// access to the case.
	CaseID    string
	Kind      FileKind
	CreatedBy string // uploads: who uploaded it
	CreatedAt time.Time
}

// FileIDFor is the content address of data's SHA-256 (hex): the same bytes
// are stored once.
func FileIDFor(sha256hex string) string { return PrefixFile + sha256hex }

// UploadFileID is the id of an upload: its content address within the
// learner's record, so the same bytes uploaded twice for one learner are
// stored once, and two learners' identical uploads stay apart (each
// readable only by those who may read that learner).
func UploadFileID(learnerID, sha256hex string) string {
	sum := sha256.Sum256([]byte("upload/" + learnerID + "/" + sha256hex))
	return PrefixFile + "u" + hex.EncodeToString(sum[:])
}

// Package service holds Cynllun's use cases: each method takes the principal
// from the context, asks the policy, validates input, calls the store and
// records audit events. Transports (GraphQL, HTTP, worker) call these and
// nothing else; they never reach the store directly.
package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/calendar"
	"github.com/cynllun/cynllun/clock"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/policy"
)

// Publisher announces saved plan versions and job updates to subscribers
// (ids only).
type Publisher interface {
	PublishVersionSaved(ctx context.Context, ev VersionSaved) error
	SubscribeVersionSaved(ctx context.Context, planID string) (<-chan VersionSaved, error)
	PublishJobUpdated(ctx context.Context, jobID string) error
	SubscribeJobUpdated(ctx context.Context, jobID string) (<-chan struct{}, error)
}

// JobQueue hands a job to the workers. The job document is written first;
// a job whose enqueue fails stays PENDING and the reconciler queues it.
type JobQueue interface {
	Enqueue(ctx context.Context, j *cynllun.Job) error
}

// URLSigner makes short-lived download links bound to a user.
type URLSigner interface {
	SignFileURL(fileID, userID string, expires time.Time) string
}

// VersionSaved is the event sent when a version is saved. It carries ids
// only, never content.
type VersionSaved struct {
	PlanID    string    `json:"planId"`
	LearnerID string    `json:"learnerId"`
	Number    int       `json:"number"`
	At        time.Time `json:"at"`
}

// Service implements the use cases over a Store.
type Service struct {
	store cynllun.Store
	now   func() time.Time
	pub   Publisher
	queue JobQueue
	urls  URLSigner
	log   *slog.Logger

	maxUpload int64
	calendars calendar.Store
	clock     clock.Settings

	// maxImageDecode is the memory budget of decoding one uploaded image
	// (0: upload.DefaultMaxImageDecodeBytes).
	maxImageDecode int64

	bundleDefaults *BundleDefaults
	// inspecting bounds the uploads checked at once: each may decode an
	// image of up to maxImageDecode bytes (upload package).
	inspecting chan struct{}
	// overrideRoles are the staff roles that may finalise over error-level
	// quality findings (nil: DefaultOverrideRoles).
	overrideRoles []string
	// webhooks is where webhook endpoints may point (WithWebhookDestinations).
	webhooks notify.Destinations

	// Invitations (WithInvitations).
	inviteMailer InvitationMailer
	inviteExpiry time.Duration
	inviteLink   string

	// outboxLease is how long a request's outbox entry is its own
	// (outbox.go; 0: DefaultOutboxLease, negative: none).
	outboxLease time.Duration
}

// Option configures a Service.
type Option func(*Service)

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithPublisher sets where saved-version events go.
func WithPublisher(p Publisher) Option { return func(s *Service) { s.pub = p } }

// WithJobQueue sets where jobs are queued.
func WithJobQueue(q JobQueue) Option { return func(s *Service) { s.queue = q } }

// WithURLSigner sets the signer of download links.
func WithURLSigner(u URLSigner) Option { return func(s *Service) { s.urls = u } }

// WithLogger sets the logger. Logs carry ids and codes, never names or content.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithClockSettings sets the counting conventions of statutory clocks (the
// deployment's settings; clock.DefaultSettings otherwise).
func WithClockSettings(c clock.Settings) Option { return func(s *Service) { s.clock = c } }

// New returns a Service over store. A store that also keeps calendars
// (calendar.Store, as the MongoDB adapter does) serves them too.
func New(store cynllun.Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, log: slog.New(slog.DiscardHandler), clock: clock.DefaultSettings()}
	if cs, ok := store.(calendar.Store); ok {
		s.calendars = cs
	}
	for _, o := range opts {
		o(s)
	}
	if s.inspecting == nil {
		s.inspecting = make(chan struct{}, 2)
	}
	return s
}

// WithUploadInspections sets how many uploads are checked at once (default
// 2); the others wait their turn.
func WithUploadInspections(n int) Option {
	return func(s *Service) {
		if n > 0 {
			s.inspecting = make(chan struct{}, n)
		}
	}
}

// inspect runs check when an inspection slot is free, or gives up when ctx
// ends first.
func (s *Service) inspect(ctx context.Context, op string, check func() error) error {
	select {
	case s.inspecting <- struct{}{}:
	case <-ctx.Done():
		return cynllun.Internal(op, ctx.Err())
	}
	defer func() { <-s.inspecting }()
	return check()
}

// Store returns the underlying store (for seeding and readiness checks).
func (s *Service) Store() cynllun.Store { return s.store }

// Now returns the service clock's time.
func (s *Service) Now() time.Time { return s.now() }

// Authenticate loads the principal for a verified token subject: the user
// and their relationships, in one read, once per request. An unknown or removed user is
// UNAUTHENTICATED.
func (s *Service) Authenticate(ctx context.Context, userID string) (*cynllun.Principal, error) {
	const op = "service.Authenticate"
	u, rels, err := s.store.UserAccess(ctx, userID)
	if err != nil {
		if cynllun.ErrorCode(err) == cynllun.CodeNotFound {
			return nil, cynllun.E(cynllun.CodeUnauthenticated, op, "unknown user")
		}
		return nil, cynllun.AsError(op, err)
	}
	rels, err = s.withStandingConsent(ctx, rels)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return &cynllun.Principal{UserID: u.ID, Admin: u.Admin, Relationships: rels}, nil
}

// withStandingConsent drops the advocate relationships whose consent no
// longer stands: consent counts only while the one who gave it is still a
// parent of the learner, or the young person, by a relationship that gives
// access (not ended, not self-granted, not held by an administrator's
// account). So revoking a parent's relationship, or one a teacher granted
// themself before self-grants were refused, also ends the consents it gave.
// It costs advocates one read per consenter (their relationships, by _id);
// others nothing.
func (s *Service) withStandingConsent(ctx context.Context, rels []cynllun.Relationship) ([]cynllun.Relationship, error) {
	now := s.now()
	stands := map[string]map[string]bool{} // consenter → learner ids they may consent for
	out := rels[:0:0]
	for _, r := range rels {
		if r.Kind != cynllun.RelAdvocateOf || !r.ActiveAt(now) {
			out = append(out, r)
			continue
		}
		learners, ok := stands[r.ConsentBy]
		if !ok {
			learners = map[string]bool{}
			u, crels, err := s.store.UserAccess(ctx, r.ConsentBy)
			switch {
			case cynllun.ErrorCode(err) == cynllun.CodeNotFound:
			case err != nil:
				return nil, err
			case !u.Admin:
				for _, c := range crels {
					if (c.Kind == cynllun.RelParentOf || c.Kind == cynllun.RelSelf) && c.ActiveAt(now) {
						learners[c.LearnerID] = true
					}
				}
			}
			stands[r.ConsentBy] = learners
		}
		if learners[r.LearnerID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// principal returns the request's principal or UNAUTHENTICATED.
func principal(ctx context.Context, op string) (*cynllun.Principal, error) {
	p := cynllun.PrincipalFrom(ctx)
	if p == nil {
		return nil, cynllun.E(cynllun.CodeUnauthenticated, op, "sign in required")
	}
	return p, nil
}

// Me returns the signed-in user.
func (s *Service) Me(ctx context.Context) (*cynllun.User, error) {
	const op = "service.Me"
	p, err := principal(ctx, op)
	if err != nil {
		return nil, err
	}
	u, err := s.store.UserByID(ctx, p.UserID)
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return u, nil
}

// requestCache remembers, for one request, the learners and plans this
// principal has been authorised to read, so nested reads (a learner's plans,
// a plan's versions) re-check the policy without another round trip.
type requestCache struct {
	mu       sync.Mutex
	learners map[string]*cynllun.Learner
	plans    map[string]*cynllun.Plan
}

type cacheKey struct{}

// WithRequestCache returns ctx with a fresh per-request authorisation cache.
// Transports call it once per request; without it every nested read reloads
// what it needs to check access.
func WithRequestCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, cacheKey{}, &requestCache{
		learners: map[string]*cynllun.Learner{},
		plans:    map[string]*cynllun.Plan{},
	})
}

func cacheFrom(ctx context.Context) *requestCache {
	c, _ := ctx.Value(cacheKey{}).(*requestCache)
	return c
}

func (c *requestCache) learner(id string) *cynllun.Learner {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.learners[id]
}

func (c *requestCache) putLearner(l *cynllun.Learner) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.learners[l.ID] = l
	c.mu.Unlock()
}

func (c *requestCache) plan(id string) *cynllun.Plan {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.plans[id]
}

func (c *requestCache) putPlan(p *cynllun.Plan) {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.plans[p.ID] = p
	c.mu.Unlock()
}

// readableLearners returns the learners with the given ids that p may read,
// keyed by id, loading only those not already authorised in this request.
func (s *Service) readableLearners(ctx context.Context, p *cynllun.Principal, ids []string) (map[string]*cynllun.Learner, error) {
	c := cacheFrom(ctx)
	out := make(map[string]*cynllun.Learner, len(ids))
	var missing []string
	for _, id := range ids {
		if l := c.learner(id); l != nil {
			out[id] = l
		} else if id != "" {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return out, nil
	}
	ls, err := s.store.LearnersByID(ctx, dedupe(missing))
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, l := range ls {
		if policy.ReadLearner(p, l, now).OK {
			c.putLearner(l)
			out[l.ID] = l
		}
	}
	return out, nil
}

// readablePlans returns the plans with the given ids that p may read, with
// their learners.
func (s *Service) readablePlans(ctx context.Context, p *cynllun.Principal, ids []string) (map[string]*cynllun.Plan, map[string]*cynllun.Learner, error) {
	c := cacheFrom(ctx)
	plans := make(map[string]*cynllun.Plan, len(ids))
	var missing []string
	for _, id := range ids {
		if pl := c.plan(id); pl != nil {
			plans[id] = pl
		} else if id != "" {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		ps, err := s.store.PlansByID(ctx, dedupe(missing))
		if err != nil {
			return nil, nil, err
		}
		for _, pl := range ps {
			plans[pl.ID] = pl
		}
	}
	lids := make([]string, 0, len(plans))
	for _, pl := range plans {
		lids = append(lids, pl.LearnerID)
	}
	learners, err := s.readableLearners(ctx, p, lids)
	if err != nil {
		return nil, nil, err
	}
	for id, pl := range plans {
		if learners[pl.LearnerID] == nil {
			delete(plans, id)
			continue
		}
		c.putPlan(pl)
	}
	return plans, learners, nil
}

func dedupe(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// audit records events, failing the read when the audit cannot be written:
// protected content is never returned without its audit record.
func (s *Service) audit(ctx context.Context, op string, events []cynllun.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	if err := s.store.RecordAudit(ctx, events); err != nil {
		return cynllun.AsError(op, err)
	}
	return nil
}

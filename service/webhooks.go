package service

import (
	"context"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/notify"
	"github.com/cynllun/cynllun/policy"
)

// NewSecret is a webhook endpoint with a secret shown once.
type NewSecret struct {
	Endpoint *cynllun.WebhookEndpoint
	Secret   string
}

const maxSecrets = 2 // the current one, and the previous during a rotation

// WithWebhookDestinations sets where webhook endpoints may point: https
// only unless d.AllowHTTP, and, for an address written in the URL, a public
// one or one d allowlists (the default: https to public addresses). Host
// names are checked when a delivery connects (notify.Destinations).
func WithWebhookDestinations(d notify.Destinations) Option {
	return func(s *Service) { s.webhooks = d }
}

// orgFor loads an organisation whose notices p may manage.
func (s *Service) orgForNotices(ctx context.Context, op, orgID string) (*cynllun.Principal, *cynllun.Organisation, error) {
	p, err := principal(ctx, op)
	if err != nil {
		return nil, nil, err
	}
	orgs, err := s.store.OrganisationsByID(ctx, []string{orgID})
	if err != nil {
		return nil, nil, cynllun.AsError(op, err)
	}
	if len(orgs) == 0 {
		return nil, nil, cynllun.NotFound(op, "organisation")
	}
	if !policy.ManageNotices(p, orgs[0], s.now()) {
		return nil, nil, cynllun.E(cynllun.CodeForbidden, op, "only the organisation's staff and officers manage its notices")
	}
	return p, orgs[0], nil
}

// CreateWebhookEndpoint subscribes a URL to an organisation's deadline
// notices and returns its signing secret (shown this once). With an
// idempotency key (idempotency.go), a retry by the same user, who still
// manages the organisation's notices, returns the endpoint created first
// with its current signing secret, and creates nothing.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, orgID, rawURL, key string) (*NewSecret, error) {
	const op = "service.CreateWebhookEndpoint"
	p, org, err := s.orgForNotices(ctx, op, orgID)
	if err != nil {
		return nil, err
	}
	if err := checkKey(op, "idempotencyKey", key); err != nil {
		return nil, err
	}
	if fe := s.webhooks.CheckURL(rawURL); fe != nil {
		return nil, cynllun.Invalid(op, *fe)
	}
	return keyed(ctx, s, keySpec{op: op, mutation: "createWebhookEndpoint", scope: p.UserID, key: key, field: "idempotencyKey",
		prefix: cynllun.PrefixWebhook, input: struct{ OrgID, URL string }{org.ID, rawURL}},
		func(id string) (*NewSecret, error) {
			secret, err := notify.NewSecret()
			if err != nil {
				return nil, cynllun.Internal(op, err)
			}
			e := &cynllun.WebhookEndpoint{ID: id, OrgID: org.ID, URL: rawURL, Secrets: []string{secret},
				CreatedAt: s.now().UTC(), CreatedBy: p.UserID}
			if err := s.store.CreateEndpoint(ctx, e); err != nil {
				return nil, cynllun.AsError(op, err)
			}
			s.log.InfoContext(ctx, "webhook endpoint created", "endpoint", e.ID, "org", org.ID, "actor", p.UserID)
			return &NewSecret{Endpoint: e, Secret: secret}, nil
		}, func(id string) (*NewSecret, error) {
			eps, err := s.store.EndpointsByID(ctx, []string{id})
			if err != nil {
				return nil, cynllun.AsError(op, err)
			}
			if len(eps) == 0 || eps[0].OrgID != org.ID || len(eps[0].Secrets) == 0 {
				return nil, cynllun.NotFound(op, "webhook endpoint")
			}
			return &NewSecret{Endpoint: eps[0], Secret: eps[0].Secrets[0]}, nil
		})
}

// endpointFor loads an endpoint whose organisation's notices p manages.
func (s *Service) endpointFor(ctx context.Context, op, id string) (*cynllun.WebhookEndpoint, error) {
	if _, err := principal(ctx, op); err != nil {
		return nil, err
	}
	eps, err := s.store.EndpointsByID(ctx, []string{id})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	if len(eps) == 0 {
		return nil, cynllun.NotFound(op, "webhook endpoint")
	}
	if _, _, err := s.orgForNotices(ctx, op, eps[0].OrgID); err != nil {
		if cynllun.ErrorCode(err) == cynllun.CodeForbidden {
			return nil, cynllun.NotFound(op, "webhook endpoint")
		}
		return nil, err
	}
	return eps[0], nil
}

// RotateWebhookSecret gives an endpoint a new secret, shown once. With
// keepPrevious the old secret keeps signing too (receivers switch over
// without missing a notice); without it only the new one signs.
func (s *Service) RotateWebhookSecret(ctx context.Context, id string, keepPrevious bool) (*NewSecret, error) {
	const op = "service.RotateWebhookSecret"
	e, err := s.endpointFor(ctx, op, id)
	if err != nil {
		return nil, err
	}
	secret, err := notify.NewSecret()
	if err != nil {
		return nil, cynllun.Internal(op, err)
	}
	secrets := []string{secret}
	if keepPrevious && len(e.Secrets) > 0 {
		secrets = append(secrets, e.Secrets[0])
	}
	e.Secrets = secrets[:min(len(secrets), maxSecrets)]
	if err := s.store.UpdateEndpoint(ctx, e); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return &NewSecret{Endpoint: e, Secret: secret}, nil
}

// SetWebhookEndpointActive disables an endpoint or enables it again
// (which clears its failure count).
func (s *Service) SetWebhookEndpointActive(ctx context.Context, id string, active bool) (*cynllun.WebhookEndpoint, error) {
	const op = "service.SetWebhookEndpointActive"
	e, err := s.endpointFor(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if active {
		// An endpoint enabled again must point where this deployment
		// allows now (its URL may predate the policy).
		if fe := s.webhooks.CheckURL(e.URL); fe != nil {
			return nil, cynllun.Invalid(op, *fe)
		}
		e.DisabledAt, e.DisabledReason, e.Failures = time.Time{}, "", 0
	} else if e.Active() {
		e.DisabledAt, e.DisabledReason = s.now().UTC(), "disabled by a user"
	}
	if err := s.store.UpdateEndpoint(ctx, e); err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return e, nil
}

// WebhookEndpoints lists an organisation's endpoints.
func (s *Service) WebhookEndpoints(ctx context.Context, orgID string) ([]*cynllun.WebhookEndpoint, error) {
	const op = "service.WebhookEndpoints"
	if _, _, err := s.orgForNotices(ctx, op, orgID); err != nil {
		return nil, err
	}
	eps, err := s.store.EndpointsForOrgs(ctx, []string{orgID})
	if err != nil {
		return nil, cynllun.AsError(op, err)
	}
	return eps, nil
}

// NoticeLog is a notice with its deliveries.
type NoticeLog struct {
	*cynllun.Notice
	Deliveries []cynllun.Delivery
}

// Notices lists a deadline's notices and their delivery log, for those
// who manage the responsible organisation's notices.
func (s *Service) Notices(ctx context.Context, d *cynllun.Deadline, pg Page) (Paged[*NoticeLog], int, error) {
	const op = "service.Notices"
	if _, _, err := s.orgForNotices(ctx, op, d.OrgID); err != nil {
		return Paged[*NoticeLog]{}, 0, err
	}
	ns, err := s.store.NoticesForDeadline(ctx, d.ID)
	if err != nil {
		return Paged[*NoticeLog]{}, 0, cynllun.AsError(op, err)
	}
	page, err := Window(op, pg, ns, func(n *cynllun.Notice) Cursor { return Cursor{Key: TimeKey(n.CreatedAt), ID: n.ID} })
	if err != nil {
		return Paged[*NoticeLog]{}, 0, err
	}
	// Only the page's deliveries are read.
	ids := make([]string, len(page.Items))
	for i, n := range page.Items {
		ids[i] = n.ID
	}
	dl, err := s.store.DeliveriesForNotices(ctx, ids)
	if err != nil {
		return Paged[*NoticeLog]{}, 0, cynllun.AsError(op, err)
	}
	by := map[string][]cynllun.Delivery{}
	for _, x := range dl {
		by[x.NoticeID] = append(by[x.NoticeID], x)
	}
	out := Paged[*NoticeLog]{HasNext: page.HasNext, HasPrev: page.HasPrev, Items: make([]*NoticeLog, len(page.Items))}
	for i, n := range page.Items {
		out.Items[i] = &NoticeLog{Notice: n, Deliveries: by[n.ID]}
	}
	return out, len(ns), nil
}

// WebhookEndpoint returns an endpoint for its organisation's staff and
// officers, or NOT_FOUND.
func (s *Service) WebhookEndpoint(ctx context.Context, id string) (*cynllun.WebhookEndpoint, error) {
	return s.endpointFor(ctx, "service.WebhookEndpoint", id)
}

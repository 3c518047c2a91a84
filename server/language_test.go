package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// doLang sends a GraphQL request with an Accept-Language header ("" for
// none) and returns the response and its Content-Language.
func (e *env) doLang(token, acceptLanguage, query string, vars map[string]any) (response, string) {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	r := e.send(token, req)
	return r, r.header.Get("Content-Language")
}

// fieldMessages returns the first error's extensions.fields as field →
// message and field → reason.
func fieldMessages(r response) (map[string]string, map[string]string) {
	msgs, reasons := map[string]string{}, map[string]string{}
	if len(r.Errors) == 0 {
		return msgs, reasons
	}
	fs, _ := r.Errors[0].Extensions["fields"].([]any)
	for _, x := range fs {
		m, _ := x.(map[string]any)
		f, _ := m["field"].(string)
		msgs[f], _ = m["message"].(string)
		reasons[f], _ = m["reason"].(string)
	}
	return msgs, reasons
}

// TestErrorsInWelsh: with Accept-Language: cy every error message (field
// messages too) is Welsh; with en, or none, English; the reason
// (extensions.reason, extensions.fields[].reason) is the same in both, and
// no message carries a code in its text (issue 15 item 8).
func TestErrorsInWelsh(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	alnco, advocate := e.token(f.alnco), e.token(f.advocate)
	// A draft a tribunal could not enforce, so finalising it is refused.
	e.must(alnco, `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`,
		map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 1, "status": "DRAFT", "content": vagueContent()}})

	type fieldWant struct{ field, reason, en, cy string }
	tests := []struct {
		name   string
		token  string
		query  string
		vars   map[string]any
		code   string
		reason string
		en, cy string // the error's message
		fields []fieldWant
	}{
		{
			name:  "INVALID field errors",
			token: alnco,
			query: `mutation($in: LearnerInput!) { createLearner(input: $in) { learner { id } } }`,
			vars: map[string]any{"in": map[string]any{"givenName": "  ", "familyName": "Prys", "dateOfBirth": "2031-01-01", "language": "CY",
				"laId": f.schoolB, "settingKind": "SCHOOL", "settingId": f.schoolA}},
			code: "INVALID", reason: "INVALID_INPUT", en: "invalid input", cy: "mewnbwn annilys",
			fields: []fieldWant{
				{"input.dateOfBirth", "DATE_OF_BIRTH_RANGE", "must not be in the future; it must be between", "ni chaiff fod yn y dyfodol; rhaid iddo fod rhwng"},
			},
		},
		{
			name:  "INVALID, one field",
			token: alnco,
			query: `mutation($in: LearnerInput!) { createLearner(input: $in) { learner { id } } }`,
			vars: map[string]any{"in": map[string]any{"givenName": "Nia", "familyName": "Prys", "dateOfBirth": "2016-01-01", "language": "CY",
				"laId": f.schoolB, "settingKind": "SCHOOL", "settingId": f.schoolA}},
			code: "INVALID", reason: "NOT_A_LOCAL_AUTHORITY",
			en: "input.laId: is not a local authority", cy: "input.laId: nid yw'n awdurdod lleol",
			fields: []fieldWant{{"input.laId", "NOT_A_LOCAL_AUTHORITY", "is not a local authority", "nid yw'n awdurdod lleol"}},
		},
		{
			name:  "NOT_FOUND",
			token: alnco,
			query: `{ plan(id: "pln_nothing_here") { id } }`,
			code:  "NOT_FOUND", reason: "PLAN_NOT_FOUND", en: "plan not found", cy: "ni chafwyd hyd i'r cynllun",
		},
		{
			name:  "FORBIDDEN",
			token: advocate,
			query: `query($id: ID!) { learner(id: $id) { access { id } } }`, vars: map[string]any{"id": f.l1},
			code: "FORBIDDEN", reason: "ACCESS_LIST_FORBIDDEN",
			en: "only the family and those who maintain the record see who has access", cy: "dim ond y teulu a'r rhai sy'n cynnal y cofnod sy'n gweld pwy sydd â mynediad",
		},
		{
			name:  "a plan refused for its findings: the rule is the reason, its title the message",
			token: alnco,
			query: `mutation($in: SaveVersionInput!) { saveVersion(input: $in) { version { number } } }`,
			vars:  map[string]any{"in": map[string]any{"planId": f.plan1, "expectedVersion": 2, "status": "FINAL", "content": vagueContent()}},
			code:  "INVALID", reason: "PLAN_HAS_ERROR_FINDINGS",
			en: "the plan has", cy: "mae gan y cynllun",
			fields: []fieldWant{{"input.content.provision.1.startDate", "PROVISION_NO_START_DATE", "A row has no start date", "Nid oes dyddiad dechrau mewn rhes"}},
		},
		{
			name:  "a wrong enum value in a variable",
			token: alnco,
			query: `mutation($id: ID!, $lang: RenderLanguage) { renderPlan(input: {planId: $id, language: $lang}) { job { id } } }`,
			vars:  map[string]any{"id": f.plan1, "lang": "cy"},
			code:  "INVALID", reason: "NOT_AN_ENUM_VALUE",
			en: "variable lang is not a RenderLanguage", cy: "nid yw'r newidyn lang yn RenderLanguage",
			fields: []fieldWant{{"lang", "NOT_AN_ENUM_VALUE", "is not a RenderLanguage", "nid yw'n RenderLanguage"}},
		},
		{
			name:  "a field the schema does not have",
			token: alnco,
			query: `{ me { shoeSize } }`,
			code:  "INVALID", reason: "GRAPHQL_VALIDATION_FAILED",
			en: `Cannot query field "shoeSize" on type "User".`, cy: `Ni ellir holi'r maes "shoeSize" ar y math "User".`,
		},
		{
			name:  "no token (HTTP 401)",
			query: `{ me { id } }`,
			code:  "UNAUTHENTICATED", reason: "SIGN_IN_REQUIRED",
			en: "authentication required: send Authorization: Bearer <token>", cy: "rhaid mewngofnodi: anfonwch Authorization: Bearer <tocyn>",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lang := range []struct{ header, want string }{{"", "en"}, {"en-GB", "en"}, {"cy", "cy"}, {"cy-GB,en;q=0.8", "cy"}, {"fr, cy;q=0.5", "cy"}} {
				r, contentLang := e.doLang(tt.token, lang.header, tt.query, tt.vars)
				if len(r.Errors) == 0 {
					t.Fatalf("%q: no error: %s", lang.header, r.raw)
				}
				er := r.Errors[0]
				if r.code() != tt.code || er.Extensions["reason"] != tt.reason {
					t.Errorf("%q: code %s, reason %v; want %s, %s: %s", lang.header, r.code(), er.Extensions["reason"], tt.code, tt.reason, r.raw)
				}
				want := tt.en
				if lang.want == "cy" {
					want = tt.cy
				}
				if !strings.HasPrefix(er.Message, want) {
					t.Errorf("%q: message %q, want it to begin %q", lang.header, er.Message, want)
				}
				if tt.token != "" && contentLang != lang.want {
					t.Errorf("%q: Content-Language %q, want %q", lang.header, contentLang, lang.want)
				}
				msgs, reasons := fieldMessages(r)
				for _, fw := range tt.fields {
					want := fw.en
					if lang.want == "cy" {
						want = fw.cy
					}
					if !strings.HasPrefix(msgs[fw.field], want) || reasons[fw.field] != fw.reason {
						t.Errorf("%q: field %s: %q (%s), want %q… (%s): %s", lang.header, fw.field, msgs[fw.field], reasons[fw.field], want, fw.reason, r.raw)
					}
				}
				// Codes are never part of a message's text.
				for field, m := range msgs {
					if reasons[field] != "" && strings.Contains(m, reasons[field]) {
						t.Errorf("%q: field %s: the message %q holds its code", lang.header, field, m)
					}
				}
				if strings.Contains(er.Message, tt.reason) {
					t.Errorf("%q: the message %q holds its code", lang.header, er.Message)
				}
			}
		})
	}
}

// TestWebsocketRefusalInWelsh: a connection_init refused for want of a
// token says so in the language of the upgrade request (graphql-ws sends
// the message in connection_error before closing with 4401).
func TestWebsocketRefusalInWelsh(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ header, want string }{
		{"", "authorization required in connection_init payload"},
		{"cy", "rhaid rhoi Authorization yn llwyth connection_init"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		opts := &websocket.DialOptions{Subprotocols: []string{"graphql-ws"}, HTTPHeader: http.Header{}}
		if tt.header != "" {
			opts.HTTPHeader.Set("Accept-Language", tt.header)
		}
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http")+"/graphql", opts)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		if err := wsjson.Write(ctx, c, map[string]any{"type": "connection_init", "payload": map[string]any{}}); err != nil {
			t.Fatal(err)
		}
		var m struct {
			Type    string `json:"type"`
			Payload struct {
				Message string `json:"message"`
			} `json:"payload"`
		}
		err = wsjson.Read(ctx, c, &m)
		_ = c.CloseNow()
		cancel()
		if err != nil || m.Type != "connection_error" || m.Payload.Message != tt.want {
			t.Errorf("%q: %+v, %v; want connection_error %q", tt.header, m, err, tt.want)
		}
	}
}

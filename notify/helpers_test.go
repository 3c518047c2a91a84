package notify

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/cynllun/cynllun"
	"github.com/cynllun/cynllun/form"
)

// testNotice is a notice whose fields hold only ids, dates and the rule's
// title: nothing in an email or a webhook body may come from anywhere else.
func testNotice() Notice {
	return Notice{
		ID:         "ntc_0192f0c1a2b34c5d8e9f0a1b2c3d4e5f",
		Kind:       KindUpcoming,
		DeadlineID: "dln_5e1f0c2d3b4a59687a8b9c0d",
		LearnerID:  "lrn_0192f0c1a2b34c5d8e9f0a1b2c3d4e60",
		RuleID:     "T1",
		Rule:       form.Text{EN: "Decide ALN and give an IDP or notice", CY: "Penderfynu ar ADY a rhoi CDU neu hysbysiad"},
		Due:        cynllun.MustDate("2026-05-05"),
		Offset:     -5,
		OffsetUnit: UnitSchoolDays,
		Link:       "https://cynllun.example/deadlines/dln_5e1f0c2d3b4a59687a8b9c0d",
		Language:   LangBilingual,
		At:         time.Date(2026, 4, 28, 7, 0, 0, 0, time.UTC),
	}
}

// wantCode fails t unless err is a *cynllun.Error with code.
func wantCode(t *testing.T, err error, code cynllun.Code) *cynllun.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want %s", code)
	}
	var e *cynllun.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %T %v, want *cynllun.Error", err, err)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, err, code)
	}
	return e
}

// selfSigned returns a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "cynllun test relay"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}

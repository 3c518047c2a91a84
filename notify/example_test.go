package notify_test

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/cynllun/cynllun/notify"
)

// A receiver checks every delivery with Verify before it trusts the body,
// and uses webhook-id to skip repeats.
func ExampleVerify() {
	secrets := []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} // the endpoint's secret(s)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := notify.Verify(secrets, r.Header, body, time.Now(), 0); err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// Deduplicate on r.Header.Get("webhook-id"), then handle body.
		w.WriteHeader(http.StatusNoContent)
	})
	_ = handler

	// The Standard Webhooks test vector.
	h := http.Header{}
	h.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	err := notify.Verify(secrets, h, []byte(`{"test": 2432232314}`), time.Unix(1614265330, 0), 0)
	fmt.Println(err)
	// Output: <nil>
}

func ExampleSign() {
	sig, err := notify.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	fmt.Println(sig, err)
	// Output: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE= <nil>
}

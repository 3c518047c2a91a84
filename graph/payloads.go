package graph

// payload wraps a service call's result in its mutation's payload type, or
// passes its error on: payload(wrap)(r.Svc.Call(ctx, input)). Every
// mutation returns a payload (a type of its own, with room for more fields
// without breaking clients) and takes one input.
func payload[T, P any](wrap func(T) *P) func(T, error) (*P, error) {
	return func(v T, err error) (*P, error) {
		if err != nil {
			return nil, err
		}
		return wrap(v), nil
	}
}

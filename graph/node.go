package graph

// Node is the Go side of the GraphQL Node interface: any bound domain value
// with an id (Learner, Plan, Version, Organisation, User, Relationship,
// AuditEvent). The domain types stay free of GraphQL methods.
type Node interface{}

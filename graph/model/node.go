package model

// Node is any object with a global ID. The domain types (org.Unit, org.Village, …) are bound to the
// GraphQL types directly, and their `id` fields are resolvers, so the Go interface asks for nothing.
type Node interface{}

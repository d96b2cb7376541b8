package main

import "net/http"

// classifyHandler returns the POST /api/v1/imci/classify handler (nil until wired).
func classifyHandler() http.HandlerFunc { return nil }

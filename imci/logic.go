package imci

// tri is a three-valued (Kleene) truth value: a sign not assessed is unknown, never false.
type tri int8

const (
	unknown tri = iota
	no
	yes
)

func triOf(b *bool) tri {
	if b == nil {
		return unknown
	}
	return triB(*b)
}

func triB(b bool) tri {
	if b {
		return yes
	}
	return no
}

func (a tri) and(b tri) tri {
	if a == no || b == no {
		return no
	}
	if a == yes && b == yes {
		return yes
	}
	return unknown
}

func (a tri) or(b tri) tri {
	if a == yes || b == yes {
		return yes
	}
	if a == no && b == no {
		return no
	}
	return unknown
}

func (a tri) not() tri {
	switch a {
	case yes:
		return no
	case no:
		return yes
	}
	return unknown
}

// anyOf is the Kleene OR of its arguments.
func anyOf(ts ...tri) tri {
	out := no
	for _, t := range ts {
		out = out.or(t)
	}
	return out
}

// atLeastTwo counts signs for the dehydration rows: yes when two are certainly
// present, no when two cannot be reached even if every unknown sign were present.
func atLeastTwo(ts ...tri) tri {
	sure, maybe := 0, 0
	for _, t := range ts {
		switch t {
		case yes:
			sure++
		case unknown:
			maybe++
		}
	}
	switch {
	case sure >= 2:
		return yes
	case sure+maybe >= 2:
		return unknown
	}
	return no
}

// intCmp compares an optional integer: unknown when absent.
func intCmp(v *int, pred func(int) bool) tri {
	if v == nil {
		return unknown
	}
	return triB(pred(*v))
}

// field pairs an input path with its truth value, to list the unknown ones.
type field struct {
	path string
	v    tri
}

// unknownPaths returns the paths whose value is unknown.
func unknownPaths(fs ...field) []string {
	var out []string
	for _, f := range fs {
		if f.v == unknown {
			out = append(out, f.path)
		}
	}
	return out
}

package yamlerr

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Tree is a parsed document as a list of its value nodes in document order,
// each with its key path, to put lines and key names on errors. Aliases are
// not followed.
type Tree struct {
	nodes []Node
}

// Node is one value in a Tree.
type Node struct {
	N *yaml.Node
	// Key is the mapping key of a mapping value, nil otherwise.
	Key *yaml.Node
	// Path holds the keys (string) and list indexes (int) from the top;
	// the top node's is empty.
	Path []any
}

// NewTree parses data. A document that does not parse gives an empty tree.
func NewTree(data []byte) *Tree {
	var doc yaml.Node
	t := &Tree{}
	if yaml.Unmarshal(data, &doc) != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return t
	}
	t.walk(doc.Content[0], nil, nil)
	return t
}

func (t *Tree) walk(n, key *yaml.Node, path []any) {
	t.nodes = append(t.nodes, Node{N: n, Key: key, Path: path})
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			t.walk(v, k, appendPath(path, k.Value))
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			t.walk(c, nil, appendPath(path, i))
		}
	}
}

func appendPath(p []any, seg any) []any {
	out := make([]any, len(p), len(p)+1)
	copy(out, p)
	return append(out, seg)
}

// Find returns the first node, in document order, that ok accepts, or nil.
func (t *Tree) Find(ok func(n *Node) bool) *Node {
	for i := range t.nodes {
		if ok(&t.nodes[i]) {
			return &t.nodes[i]
		}
	}
	return nil
}

// KeyAt returns the value whose mapping key is key on line (the place of
// an UnknownKey or DuplicateKey problem), or nil.
func (t *Tree) KeyAt(line int, key string) *Node {
	return t.Find(func(n *Node) bool { return n.Key != nil && n.Key.Line == line && n.Key.Value == key })
}

// ValueOf returns the value a WrongType problem is about, or nil. Of the
// values on the problem's line that match it, the last in document order
// is the innermost: a block list or mapping starts on the line of its first
// entry, so in "- port: [1]" the list of ports, the entry and the list
// holding it all start on that line.
func (t *Tree) ValueOf(p Problem) *Node {
	for i := len(t.nodes) - 1; i >= 0; i-- {
		if n := &t.nodes[i]; n.N.Line == p.Line && p.Matches(n.N) {
			return n
		}
	}
	return nil
}

// At returns the node at line and column (of a problem made by At), or nil.
func (t *Tree) At(line, col int) *Node {
	return t.Find(func(n *Node) bool { return n.N.Line == line && n.N.Column == col })
}

// Lookup returns the node at path, or nil when the document has none.
func (t *Tree) Lookup(path []any) *Node {
	return t.Find(func(n *Node) bool { return slices.Equal(n.Path, path) })
}

// Deepest returns the node of the longest leading part of path present in
// the document, or nil when not even its first key is.
func (t *Tree) Deepest(path []any) *Node {
	for k := len(path); k > 0; k-- {
		if n := t.Lookup(path[:k]); n != nil {
			return n
		}
	}
	return nil
}

// Line is the line to report for the node: its key's for a mapping value,
// its own otherwise.
func (n *Node) Line() int {
	if n.Key != nil {
		return n.Key.Line
	}
	return n.N.Line
}

// FormatPath writes a key path as "capture.interfaces[1].vlan".
func FormatPath(path []any) string {
	var b strings.Builder
	for _, seg := range path {
		switch s := seg.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", s)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, s)
		}
	}
	return b.String()
}

// ParsePath is the inverse of FormatPath: "capture.interfaces[1].vlan" is
// "capture", "interfaces", 1, "vlan".
func ParsePath(s string) []any {
	var path []any
	for _, part := range strings.Split(s, ".") {
		for {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				break
			}
			if i > 0 {
				path = append(path, part[:i])
			}
			j := strings.IndexByte(part, ']')
			if j < i {
				break
			}
			if idx, err := strconv.Atoi(part[i+1 : j]); err == nil {
				path = append(path, idx)
			} else {
				path = append(path, part[i:j+1])
			}
			part = part[j+1:]
		}
		if part != "" {
			path = append(path, part)
		}
	}
	return path
}

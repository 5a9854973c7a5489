package dicom

// State returns the association state without copying the association.
func (c *Conn) State() State { return c.assoc.State }

// CommandCount returns how many DIMSE commands were seen so far, cheaply
// (for callers deciding whether to report again).
func (c *Conn) CommandCount() int {
	n := 0
	for i := range c.assoc.Commands {
		n += int(c.assoc.Commands[i].Count)
	}
	return n
}

// AcceptedSOPClasses returns the abstract syntaxes of the presentation
// contexts the acceptor accepted (matched to the proposal by context ID),
// deduplicated, in proposal order.
func (a Association) AcceptedSOPClasses() []string {
	var out []string
	seen := map[string]bool{}
	for _, ac := range a.Accepted {
		if !ac.Accepted() {
			continue
		}
		as := ac.AbstractSyntax
		if as == "" {
			for _, p := range a.Proposed {
				if p.ID == ac.ID {
					as = p.AbstractSyntax
					break
				}
			}
		}
		if as != "" && !seen[as] {
			seen[as] = true
			out = append(out, as)
		}
	}
	return out
}

// ProposedTransferSyntaxes returns every transfer syntax proposed, once.
func (a Association) ProposedTransferSyntaxes() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range a.Proposed {
		for _, ts := range p.TransferSyntaxes {
			if !seen[ts] {
				seen[ts] = true
				out = append(out, ts)
			}
		}
	}
	return out
}

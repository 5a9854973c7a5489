package store

// DICOM: what each end of an association said (dicom_aes, dicom_sop_classes,
// dicom_commands), and the AE title it named for its address
// (ae_titles_by_ip).

import (
	"net/netip"
	"strings"
	"time"

	"github.com/wardwatch/wardwatch/model"
)

// clinicalOp is a DICOM or HL7 report waiting for the flush, on the asset
// it was resolved to when it arrived.
type clinicalOp struct {
	a     *assetState
	dicom *model.DICOMInfo
	hl7   *model.HL7Info
	t     time.Time
	count bool
	// The vantage and address of the report's end, for ae_titles_by_ip.
	vantage string
	ip      netip.Addr
}

// writeClinical writes the pending DICOM and HL7 reports in order.
func (f *flush) writeClinical() error {
	for _, op := range f.clinical {
		var err error
		if op.dicom != nil {
			if err = f.aeTitleByIP(op.vantage, op.ip, op.dicom.AETitle, op.t); err == nil {
				err = f.dicom(op.a, op.dicom, op.t, op.count)
			}
		} else {
			err = f.hl7(op.a, op.hl7, op.t, op.count)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dicom records one end's view of a DICOM association. Only the fields the
// dicom_* tables document are kept (no transfer syntaxes).
func (f *flush) dicom(a *assetState, d *model.DICOMInfo, t time.Time, count bool) error {
	ae := trimAE(d.AETitle)
	var aeID int64
	if err := f.stmt(sDICOMUpsert).QueryRowContext(f.ctx, a.id, d.Role, ae, trimAE(d.PeerAETitle),
		ipText(normIP(d.PeerIP)), d.Port, trimAE(d.ApplicationContext), trimAE(d.ImplClassUID),
		trimAE(d.ImplVersion), d.MaxPDU, ns(t), ns(t), boolInt(count && d.NewAssociation), d.Result).Scan(&aeID); err != nil {
		return err
	}
	if !(d.Role == model.RoleSCP && d.Result == model.DICOMRejected) {
		if err := f.dicomSOPClasses(aeID, a.id, d.Role, d.SOPClasses, t); err != nil {
			return err
		}
	}
	if err := f.dicomCommands(aeID, a.id, d.Commands, t, count); err != nil {
		return err
	}
	f.dirty.mark(f.db, a, t)
	if ae != "" {
		f.flushIndex = append(f.flushIndex, indexOp{key: a.key, ae: ae})
	}
	return nil
}

// dicomSOPClasses records the SOP classes an end proposed (scu) or
// accepted (scp) on the dicom_aes row aeID.
func (f *flush) dicomSOPClasses(aeID, assetID int64, role string, uids []string, t time.Time) error {
	for i, uid := range uids {
		uid = trimAE(uid)
		if uid == "" || seenBefore(uids[:i], uid) {
			continue
		}
		if _, err := f.exec(sDICOMSOPUpsert, aeID, assetID, role, uid, ns(t), ns(t)); err != nil {
			return err
		}
	}
	return nil
}

// dicomCommands adds the DIMSE commands an end sent to the dicom_aes row
// aeID: their counts when count is set, else only that they were sent.
func (f *flush) dicomCommands(aeID, assetID int64, cmds []model.DICOMCommand, t time.Time, count bool) error {
	for i, c := range cmds {
		name, sop := strings.TrimSpace(c.Name), trimAE(c.SOPClass)
		if name == "" || seenCommand(cmds[:i], c) {
			continue
		}
		n := max(c.Count, 1) // Count 0 means 1
		if !count {
			n = 0
		}
		if _, err := f.exec(sDICOMCmdUpsert, aeID, assetID, name, sop, i64(n), ns(t)); err != nil {
			return err
		}
	}
	return nil
}

// trimAE drops the space and NUL padding of DICOM AE titles and UIDs.
func trimAE(s string) string { return strings.Trim(s, " \x00") }

// seenCommand reports whether s has a command with c's name and SOP class.
func seenCommand(s []model.DICOMCommand, c model.DICOMCommand) bool {
	for _, x := range s {
		if x.Name == c.Name && x.SOPClass == c.SOPClass {
			return true
		}
	}
	return false
}

// aeTitleByIP records that a DICOM association named aeTitle for ip on
// vantage (ae_titles_by_ip): how the policy checker knows an end it sees
// only by address, kept for `policy simulate` and `learn`. A report older
// than the row's latest does not replace its title.
func (f *flush) aeTitleByIP(vantage string, ip netip.Addr, aeTitle string, t time.Time) error {
	ae, ip := trimAE(aeTitle), normIP(ip)
	if ae == "" || !ip.IsValid() {
		return nil
	}
	_, err := f.exec(sAETitleByIP, vantage, ip.String(), ae, ns(t))
	return err
}

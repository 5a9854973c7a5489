package dicom

// Well-known UIDs (PS3.6 annex A). Their names are model.SOPClassName's.
const (
	UIDVerification            = "1.2.840.10008.1.1"
	UIDApplicationContext      = "1.2.840.10008.3.1.1.1"
	UIDImplicitVRLittleEndian  = "1.2.840.10008.1.2"
	UIDExplicitVRLittleEndian  = "1.2.840.10008.1.2.1"
	UIDCTImageStorage          = "1.2.840.10008.5.1.4.1.1.2"
	UIDMRImageStorage          = "1.2.840.10008.5.1.4.1.1.4"
	UIDModalityWorklistFind    = "1.2.840.10008.5.1.4.31"
	UIDStorageCommitmentPush   = "1.2.840.10008.1.20.1"
	UIDModalityPerformedProcSt = "1.2.840.10008.3.1.2.3.3"
)

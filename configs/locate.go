package configs

// KeyError places err, a problem with the value of key (a path such as
// "policy.file" or "capture.interfaces"), at the key's line in the config
// file name whose content is data: "name: line N: key: err". Used for
// problems found outside this package, e.g. a policy file that cannot be
// read; without the key in the file the line is left out.
func KeyError(data []byte, name, key string, err error) error {
	return locateValidation(data, name, &ValidationError{Path: key, Msg: err.Error()})
}

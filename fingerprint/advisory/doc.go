package advisory

import _ "github.com/gocsaf/csaf/v3/csaf"

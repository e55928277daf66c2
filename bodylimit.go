package cosv2

import "errors"

// errTooLarge is the error of an answer longer than the client reads.
var errTooLarge = errors.New("cos: the answer is larger than the client reads")

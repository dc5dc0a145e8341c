package breakdown

import "embed"

// SQL holds the nightly job's breakdown statements (01_period.sql … 07_gaps.sql), run in name
// order by package analytics against the DuckDB snapshot. They live here, beside the read side,
// so that what is computed and how it is read are one package.
//
//go:embed *.sql
var SQL embed.FS

package pipeline_test

import "ptdv/internal/page"

func pageArgs(n int) page.Args { return page.Args{First: n} }

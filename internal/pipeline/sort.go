package pipeline

import "sort"

func sortRules(rs []Rule) { sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID }) }

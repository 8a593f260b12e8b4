module ftsimnode

go 1.19

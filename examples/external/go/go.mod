module ftsim-examples

go 1.19

require ftsimnode v0.0.0

replace ftsimnode => ../../../libraries/go

module gen-bundles

go 1.22

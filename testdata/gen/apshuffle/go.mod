module apshuffle-fixtures

go 1.22

module critgen

go 1.19

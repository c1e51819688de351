module statusgen

go 1.22

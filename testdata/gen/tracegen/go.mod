module tracegen

go 1.19

module httpgen

go 1.19

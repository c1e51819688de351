module tlsgen

go 1.19

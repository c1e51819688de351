module chaingen

go 1.19

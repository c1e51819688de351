module runnablegen

go 1.21

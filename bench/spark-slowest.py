#!/usr/bin/env python3
"""The README's slowest-requests query with Spark in local mode, compared
with DuckDB's answer over the same folder of ettables output (not run by CI).

    ettables -output tables testdata/traces/http-go1.*.trace ./bundles
    python3 bench/spark-slowest.py tables [N]

Needs PyPI's pyspark and duckdb, and a Java runtime (Debian's
openjdk-17-jre-headless). Prints both engines' N slowest requests (default
10) and whether every row of the two answers is the same; exits 1 if not.
Also reads the bundles table, to show that Spark takes its timestamps.
"""

import sys
import time

import duckdb
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

tables = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 10

t0 = time.monotonic()
want = duckdb.sql(
    f"""SELECT length_ns, input, root_g, start_ns FROM '{tables}/trees/*.parquet'
        WHERE root_kind = 'server/http'
        ORDER BY length_ns DESC, input, root_g, start_ns"""
).fetchall()
t1 = time.monotonic()

spark = SparkSession.builder.master("local[2]").appName("ettables").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
t2 = time.monotonic()
trees = spark.read.parquet(f"{tables}/trees")
got = [
    tuple(r)
    for r in trees.where(F.col("root_kind") == "server/http")
    .select("length_ns", "input", "root_g", "start_ns")
    .orderBy(F.desc("length_ns"), "input", "root_g", "start_ns")
    .collect()
]
t3 = time.monotonic()
try:
    bundles = spark.read.parquet(f"{tables}/bundles").select("input", "hostname", "capture_time").orderBy("capture_time").limit(2).collect()
except Exception as e:  # no bundles in the folder
    bundles = [f"(bundles: {type(e).__name__})"]
spark.stop()

print(f"DuckDB: {len(want)} requests in {t1 - t0:.2f} s; Spark (local[2]): {len(got)} in {t3 - t2:.2f} s")
for w, g in zip(want[:n], got[:n]):
    print(f"  {w}  {'==' if w == g else '!='}  {g}")
print("  Spark's first bundles by capture time:", [tuple(b) if not isinstance(b, str) else b for b in bundles])
same = want == got
print("same answer:", same)
sys.exit(0 if same else 1)

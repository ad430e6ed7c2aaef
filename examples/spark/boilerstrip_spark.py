"""Run boilerstrip over many inputs on Apache Spark.

The binary travels with the job (`spark-submit --files path/to/boilerstrip`); the
RDD holds input *paths* (page files, WARC files, or WARC record addresses
`FILE.warc.gz#OFFSET`), never page bytes: every executor reads its inputs itself from
storage it can see (a shared file system or a local copy), which was 4-5x faster in
trials than shipping bytes through the JVM. Each partition pipes its paths to one
`boilerstrip run -` process, which answers with one JSON record per page, rejects
included (they carry a non-`ok` `status`).

`checkCode=True` matters: without it a binary that dies half-way through a partition
(killed, out of memory, a bug) would silently give fewer records instead of failing
the task, and Spark would never retry it.

    spark-submit --master yarn --files target/release/boilerstrip \\
        examples/spark/boilerstrip_spark.py --paths inputs.txt --output hdfs:///clean/
"""
import argparse
import os

from pyspark import SparkConf, SparkContext, SparkFiles


def binary_path(sc, name):
    """Where the executors find the shipped binary.

    On YARN and Kubernetes, `--files` lands in each executor's working directory; in
    local mode it is under SparkFiles' root, which is the same directory for the driver
    and its local executors.
    """
    if sc.master.startswith("local"):
        return SparkFiles.get(name)
    return "./" + name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--paths", required=True,
                    help="a text file (on the driver) with one input per line")
    ap.add_argument("--output", required=True, help="output folder for saveAsTextFile")
    ap.add_argument("--partitions", type=int, default=0,
                    help="number of partitions (default: the cluster's parallelism)")
    ap.add_argument("--binary-name", default="boilerstrip",
                    help="file name of the binary shipped with --files")
    ap.add_argument("--threads", type=int, default=1,
                    help="boilerstrip worker threads per task (match spark.task.cpus)")
    args = ap.parse_args()

    sc = SparkContext(conf=SparkConf().setAppName("boilerstrip"))
    with open(args.paths, encoding="utf-8") as f:
        paths = [line.rstrip("\r\n") for line in f if line.strip()]
    parts = args.partitions or sc.defaultParallelism
    binary = binary_path(sc, args.binary_name)
    records = (
        sc.parallelize(paths, parts)
        .pipe(f"{binary} run - -q -j {args.threads}", checkCode=True)
    )
    # Records keep their input's order inside a partition; the part files are the output.
    records.saveAsTextFile(args.output)
    sc.stop()


if __name__ == "__main__":
    main()

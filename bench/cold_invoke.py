"""Runs inside a fresh interpreter: import a Lambda entry module, answer one event, report timings.

Used by cold_start.py and size.py; it imports nothing of the skill before the clock starts, so
the figures are the import of the entry plus the first invoke, exactly what a new Lambda
container pays before its first response.

    python bench/cold_invoke.py ENTRY_DIR EVENT_JSON_FILE [EXTRA_PATH ...]
"""
import json
import resource
import sys
import time


def main() -> None:
    entry_dir, event_file, *extra = sys.argv[1:]
    with open(event_file) as handle:
        event = json.load(handle)
    sys.path[:0] = [entry_dir, *extra]
    start, start_cpu = time.perf_counter(), time.process_time()
    import lambda_function

    imported = time.perf_counter()
    response = lambda_function.lambda_handler(event, None)
    answered, answered_cpu = time.perf_counter(), time.process_time()
    speech = ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")
    print(json.dumps({
        "import_ms": (imported - start) * 1000,
        "invoke_ms": (answered - imported) * 1000,
        "total_ms": (answered - start) * 1000,
        "cpu_ms": (answered_cpu - start_cpu) * 1000,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "speech": speech,
        "modules": len(sys.modules),
        "boto3_loaded": "botocore" in sys.modules,
    }))


if __name__ == "__main__":
    main()

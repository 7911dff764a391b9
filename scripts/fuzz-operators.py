"""Raw documents whose scalars, one at a time, are replaced by MongoDB operator objects.

Usage: fuzz-operators.py BASE_URL SEEDS_DIR

Takes the first items of the seed TikTok and TMDB files, sends each as it is (must be answered 200)
and then once per scalar with that scalar replaced by an operator object: every such request must be
a 400 whose first field problem names the replaced field. Exits 1 on any other answer.
"""
import json
import sys
import urllib.error
import urllib.request

OPERATORS = [
    {"$gt": ""},
    {"$cond": [{"$eq": ["$_id", 1]}, {"$getField": "revenue"}, "no"]},
    {"$divide": [1, 0]},
    {"$where": "sleep(100)"},
    {"$literal": 1},
    {"$regexMatch": {"input": "$title", "regex": "."}},
]


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def scalar_paths(value, prefix=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from scalar_paths(inner, prefix + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from scalar_paths(inner, prefix + (str(index),))
    else:
        yield prefix


def replaced(value, path, replacement):
    if not path:
        return replacement
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, replacement)}
    copy = list(value)
    copy[int(head)] = replaced(copy[int(head)], rest, replacement)
    return copy


def first_records(path, count):
    with open(path) as lines:
        records = []
        for line in lines:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
            if len(records) == count:
                break
        return records


def main():
    base, seeds = sys.argv[1], sys.argv[2]
    cases = [("tiktok_virality", item) for item in first_records(f"{seeds}/tiktok_items.jsonl", 3)]
    cases += [("tmdb_hit", movie) for movie in first_records(f"{seeds}/tmdb_movies.jsonl", 3)]
    refused, wrong = 0, []
    for model, document in cases:
        url = f"{base}/v1/models/{model}/predict"
        status, answer = post(url, {"documents": [document]})
        if status not in (200, 400):
            wrong.append(f"{model} unmodified document: {status} {answer}")
        for index, path in enumerate(scalar_paths(document)):
            hostile = replaced(document, path, OPERATORS[index % len(OPERATORS)])
            status, answer = post(url, {"documents": [hostile]})
            field = ((answer.get("fields") or [{}])[0]).get("field", "")
            if status == 400 and field.startswith(".".join(path)):
                refused += 1
            else:
                wrong.append(f"{model} {'.'.join(path)}: {status} {json.dumps(answer)[:300]}")
    print(f"fuzz-operators: {refused} hostile documents refused by field, {len(wrong)} answered otherwise")
    for line in wrong[:20]:
        print("  " + line)
    sys.exit(1 if wrong or refused == 0 else 0)


if __name__ == "__main__":
    main()

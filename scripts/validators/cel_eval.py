"""Evaluates a Kubernetes ValidatingAdmissionPolicy's CEL (its variables, then its
validations) against admission requests, with cel-python, offline.

Reads JSON on stdin: {"matchConditions": [{"expression"}], "variables": [{"name",
"expression"}], "validations": [{"expression"}], "cases": [{"request": {...}, "object":
{...}}]}; prints, per case, the list of the validations' results (true: admitted by that
validation; none where a match condition is false, as the API server then skips the policy),
as JSON. An expression that does
not compile or evaluate fails the run, with the expression."""
import json
import sys

import celpy


def main():
    given = json.load(sys.stdin)
    env = celpy.Environment()

    def program(expression):
        try:
            return env.program(env.compile(expression))
        except Exception as e:  # noqa: BLE001 - reported with the expression
            sys.exit(f"cel_eval: {expression}: does not compile: {e}")

    variables = [(v["name"], program(v["expression"]), v["expression"]) for v in given["variables"]]
    conditions = [(program(c["expression"]), c["expression"]) for c in given.get("matchConditions", [])]
    validations = [(program(v["expression"]), v["expression"]) for v in given["validations"]]
    results = []
    for case in given["cases"]:
        activation = {"request": celpy.json_to_cel(case["request"]), "object": celpy.json_to_cel(case["object"])}
        matched = True
        for prog, text in conditions:
            value = prog.evaluate(activation)
            if not isinstance(value, celpy.celtypes.BoolType):
                sys.exit(f"cel_eval: {text}: not a bool: {value!r}")
            matched = matched and bool(value)
        if not matched:
            results.append([])
            continue
        bound = {}
        for name, prog, text in variables:
            activation["variables"] = celpy.celtypes.MapType({celpy.celtypes.StringType(k): v for k, v in bound.items()})
            value = prog.evaluate(activation)
            if isinstance(value, Exception):
                sys.exit(f"cel_eval: {text}: {value}")
            bound[name] = value
        activation["variables"] = celpy.celtypes.MapType({celpy.celtypes.StringType(k): v for k, v in bound.items()})
        row = []
        for prog, text in validations:
            value = prog.evaluate(activation)
            if not isinstance(value, celpy.celtypes.BoolType):
                sys.exit(f"cel_eval: {text}: not a bool: {value!r}")
            row.append(bool(value))
        results.append(row)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()

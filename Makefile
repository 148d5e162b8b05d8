# Called by `sam build` (template.yaml: CoachFunction has Metadata BuildMethod: makefile), which sets
# ARTIFACTS_DIR. It runs the same build as `python3 dev.py build`: the skill package and its runtime
# dependencies for python3.13 on arm64, without boto3/botocore (the Lambda runtime provides them).

.PHONY: build-CoachFunction
build-CoachFunction:
	python3 dev.py build --output "$(ARTIFACTS_DIR)" --no-zip

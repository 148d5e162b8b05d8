"""The reference skill the benchmarks compare against: bare ask-sdk-core, stock DynamoDbAdapter."""

# The engage command (CLI, prediction server and dashboard) on the Swift 6.3 toolchain with libmongoc.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libmongoc-dev libbson-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product engage --static-swift-stdlib \
 && bin="$(swift build -c release --show-bin-path)" \
 && cp "$bin/engage" /usr/local/bin/engage \
 && cp -R "$bin/EngageML_Features.resources" /usr/local/bin/

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libmongoc-1.0-0 libbson-1.0-0 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/engage /usr/local/bin/engage
# The built-in feature set files, found beside the executable.
COPY --from=build /usr/local/bin/EngageML_Features.resources /usr/local/bin/EngageML_Features.resources
COPY models /app/models
COPY seeds /app/seeds
COPY scripts/pipeline.sh /app/scripts/pipeline.sh
WORKDIR /app
ENTRYPOINT ["engage"]
CMD ["db", "ping"]

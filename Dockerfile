# Dockerfile - zbemu and zbharness on Debian 12, for CI jobs that test a Zigbee host library
# against the emulators or run the harness on a runner (docs/ci.md). Two stages: the build
# (compiler, -dev packages; warnings are errors as in the project's CI) and a small runtime
# image with the two programs, the DTR/RTS preload library and their two shared libraries.
#   docker build -t zbtools .
#   docker run --rm zbtools zbharness roundtrip --emulate --targets znp-zstack3x0,zboss
FROM debian:12-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake pkg-config \
      libcjson-dev libserialport-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# the build command ci/docker.sh repeats when no docker engine is available
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DZB_TESTS=OFF -DZB_WERROR=ON \
 && cmake --build /build -j"$(nproc)" --target zbemu zbharness zbmodem

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcjson1 libserialport0 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 zb
COPY --from=build /build/bin/zbemu /build/bin/zbharness /usr/local/bin/
COPY --from=build /build/lib/libzbmodem.so /usr/local/lib/
USER zb
WORKDIR /home/zb
# zbemu on TCP for containers: docker run -p 17777:17777 zbtools zbemu znp --tcp 17777 ...
# (zbemu listens on 127.0.0.1; run the host library in the same container or network namespace)
CMD ["zbharness", "--help"]

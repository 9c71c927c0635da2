# Dockerfile - zbemu and zbharness on Debian 12, for CI jobs that test a Zigbee host library
# against the emulators or run the harness on a runner (docs/ci.md). Two stages: the build
# (compiler, -dev packages; warnings are errors as in the project's CI) and a small runtime
# image with the two programs and the DTR/RTS preload library (CMake's install rules, staged in
# /stage) and the Debian packages of ci/image/runtime-packages.
#   docker build -t zbtools .            (BuildKit: the default builder since Docker 23)
#   docker run --rm zbtools zbharness roundtrip --emulate --targets znp-zstack3x0,zboss
# ci/docker.sh builds the same runtime image without docker (mmdebstrap) from this file's last
# stage: the install command, the user, USER/WORKDIR/HEALTHCHECK/CMD. Keep its instructions to
# those kinds (it fails on any other) and the last stage's RUN to packages and user.
FROM debian:12-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential cmake pkg-config \
      libcjson-dev libserialport-dev nettle-dev libexpat1-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# the build and install RUN ci/docker.sh repeats (its folders moved) for its root file system
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DZB_TESTS=OFF -DZB_WERROR=ON \
 && cmake --build /build -j"$(nproc)" --target zbemu zbharness zbmodem \
 && DESTDIR=/stage cmake --install /build --prefix /usr/local

FROM debian:12-slim
RUN --mount=type=bind,source=ci/image/runtime-packages,target=/tmp/runtime-packages \
    apt-get update \
 && apt-get install -y --no-install-recommends $(sed 's/#.*//' /tmp/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 zb
COPY --from=build /stage/usr/local/ /usr/local/
USER zb
WORKDIR /home/zb
# zbemu on TCP for containers: docker run -p 17777:17777 zbtools zbemu znp --tcp 17777 ...
# (zbemu listens on 127.0.0.1; run the host library in the same container or network namespace)
# healthy = both programs start with their shared libraries
HEALTHCHECK --interval=30s --timeout=10s --retries=3 CMD ["sh", "-c", "zbemu --version && zbharness --version"]
CMD ["zbharness", "--help"]

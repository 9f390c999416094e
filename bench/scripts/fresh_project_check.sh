#!/usr/bin/env bash
# Checks the README's "Use Shears in your project" as a new user meets it: a fresh Maven project that depends
# on the installed shears-core and shears-datasets runs the README's complete program, once with the JVM flag
# and once without (where Shears must print its warning and still finish). Run from the repository root after
#   mvn -B -ntp -q install -DskipTests
# Prints each run's wall time. Uses the real Fashion-MNIST when installed, else the embedded sample.
set -euo pipefail
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n "s:^  <version>\(.*\)</version>:\1:p" pom.xml | head -1)
mkdir -p "$work/src/main/java"
cat > "$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>fresh</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency><groupId>dev.shears</groupId><artifactId>shears-core</artifactId><version>$version</version></dependency>
    <dependency><groupId>dev.shears</groupId><artifactId>shears-datasets</artifactId><version>$version</version></dependency>
  </dependencies>
</project>
POM
# The README's complete program: the java block that declares PruneFashionMnist.
awk '/^```java$/{grab=1; buf=""; next} /^```$/{if (grab && buf ~ /class PruneFashionMnist/) {printf "%s", buf; exit} grab=0; next} grab{buf=buf $0 "\n"}' \
    "$root/README.md" > "$work/src/main/java/PruneFashionMnist.java"
(cd "$work" && mvn -B -ntp -q package dependency:build-classpath -Dmdep.outputFile=cp.txt)
cp="$work/target/classes:$(cat "$work/cp.txt")"
for mode in with without; do
  flag=""; [ "$mode" = with ] && flag="--add-modules jdk.incubator.vector"
  start=$(date +%s.%N)
  (cd "$work" && java $flag -cp "$cp" PruneFashionMnist > "$work/$mode.out" 2> "$work/$mode.err")
  end=$(date +%s.%N)
  printf '%s the flag: %.1f s; ' "$mode" "$(echo "$end - $start" | bc)"
  tail -1 "$work/$mode.out"
  grep -h "WARNING: Shears" "$work/$mode.err" | cut -c1-120 || true
done

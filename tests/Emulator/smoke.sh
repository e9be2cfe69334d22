#!/usr/bin/env bash
# Smoke test of the emulator against an independent client: starts moto and the emulator on free loopback
# ports, drives them with awscli (EC2/IAM through the proxy, EKS served by the emulator) and checks the answers.
# Usage: tests/Emulator/smoke.sh   (builds the emulator if its Release DLL is missing)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dll="$here/bin/Release/net10.0/Emulator.dll"
[[ -f "$dll" ]] || dotnet build "$here/Emulator.csproj" -c Release -nologo -v q >/dev/null

work="$(mktemp -d)"
moto_pid="" emulator_pid=""
cleanup() {
    [[ -n "$emulator_pid" ]] && kill "$emulator_pid" 2>/dev/null || true
    [[ -n "$moto_pid" ]] && kill "$moto_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

moto_port="$(free_port)"
MOTO_IAM_LOAD_MANAGED_POLICIES=true moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$moto_port/moto-api/" >/dev/null && break; sleep 0.2; done

dotnet "$dll" --port 0 --moto-url "http://127.0.0.1:$moto_port" --create-seconds 6 --delete-seconds 2 --update-seconds 10 \
    >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
for _ in $(seq 100); do grep -q '^EMULATOR_URL=' "$work/emulator.out" && break; sleep 0.1; done
url="$(sed -n 's/^EMULATOR_URL=//p' "$work/emulator.out")"
[[ -n "$url" ]] || { echo "emulator did not start"; cat "$work/emulator.err"; exit 1; }

export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL
aws_() { aws --endpoint-url "$url" "$@"; }

failures=0
check() { # check <description> <expected> <actual>
    if [[ "$2" == "$3" ]]; then echo "ok   - $1"; else echo "FAIL - $1: expected [$2], got [$3]"; failures=$((failures + 1)); fi
}
check_contains() { # check_contains <description> <needle> <haystack>
    if [[ "$3" == *"$2"* ]]; then echo "ok   - $1"; else echo "FAIL - $1: [$2] not in [$3]"; failures=$((failures + 1)); fi
}
# awscli's own waiters poll every 30 s; poll every second instead. wait_for <expected> <command...>
wait_for() {
    local expected="$1"; shift
    for _ in $(seq 30); do [[ "$("$@" 2>&1 || true)" == *"$expected"* ]] && return 0; sleep 1; done
    echo "timed out waiting for [$expected] from: $*"; return 1
}
requests() { curl -sf "$url/_emulator/requests"; }
fault() { curl -sf -X POST "$url/_emulator/faults" -H 'Content-Type: application/json' -d "$1" >/dev/null; }

# Network and role through the proxy (moto).
vpc="$(aws_ ec2 create-vpc --cidr-block 10.0.0.0/16 --query Vpc.VpcId --output text)"
subnet_a="$(aws_ ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.1.0/24 --availability-zone us-east-1a --query Subnet.SubnetId --output text)"
subnet_b="$(aws_ ec2 create-subnet --vpc-id "$vpc" --cidr-block 10.0.2.0/24 --availability-zone us-east-1b --query Subnet.SubnetId --output text)"
role="$(aws_ iam create-role --role-name smoke-eks --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}' --query Role.Arn --output text)"
check "proxy: caller identity from moto" "123456789012" "$(aws_ sts get-caller-identity --query Account --output text)"

# Create → CREATING → ACTIVE.
created="$(aws_ eks create-cluster --name smoke --role-arn "$role" --resources-vpc-config "subnetIds=$subnet_a,$subnet_b" \
    --tags team=platform --query '[cluster.status, cluster.arn, cluster.resourcesVpcConfig.vpcId]' --output text)"
check "create-cluster answers CREATING" "CREATING	arn:aws:eks:us-east-1:123456789012:cluster/smoke	$vpc" "$created"
check "describe-cluster right after create is CREATING" "CREATING" "$(aws_ eks describe-cluster --name smoke --query cluster.status --output text)"
wait_for ACTIVE aws_ eks describe-cluster --name smoke --query cluster.status --output text
described="$(aws_ eks describe-cluster --name smoke --query '[cluster.status, cluster.version, cluster.platformVersion, cluster.kubernetesNetworkConfig.serviceIpv4Cidr]' --output text)"
check "cluster becomes ACTIVE with defaults" "ACTIVE	1.34	eks.1	172.20.0.0/16" "$described"
endpoint="$(aws_ eks describe-cluster --name smoke --query cluster.endpoint --output text)"
[[ "$endpoint" =~ ^https://127\.0\.0\.1:[0-9]+$ ]] && check "endpoint is the loopback kube-apiserver" ok ok || check "endpoint shape" "https://127.0.0.1:<port>" "$endpoint"
aws_ eks describe-cluster --name smoke --query cluster.certificateAuthority.data --output text | base64 -d >"$work/ca.pem"
check_contains "certificateAuthority is a real CA" "CN = kubernetes" "$(openssl x509 -in "$work/ca.pem" -noout -subject 2>&1)"
check_contains "kube-apiserver TLS verifies with the cluster CA" '"gitVersion":"v1.34.' "$(curl -sS --cacert "$work/ca.pem" "$endpoint/version" 2>&1)"

# Access entries: the creator's admin entry exists; awscli parses every answer.
me="arn:aws:iam::123456789012:user/moto"
check "creator has an access entry" "$me" "$(aws_ eks list-access-entries --cluster-name smoke --query 'accessEntries[0]' --output text)"
check "creator is cluster admin" "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy	cluster" \
    "$(aws_ eks list-associated-access-policies --cluster-name smoke --principal-arn "$me" --query 'associatedAccessPolicies[0].[policyArn,accessScope.type]' --output text)"
viewer_role="$(aws_ iam create-role --role-name smoke-viewer --assume-role-policy-document '{"Version":"2012-10-17","Statement":[]}' --query Role.Arn --output text)"
check "create-access-entry defaults the username" "arn:aws:sts::123456789012:assumed-role/smoke-viewer/{{SessionName}}	STANDARD" \
    "$(aws_ eks create-access-entry --cluster-name smoke --principal-arn "$viewer_role" --kubernetes-groups viewers --query 'accessEntry.[username,type]' --output text)"
check "describe-access-entry" "viewers" "$(aws_ eks describe-access-entry --cluster-name smoke --principal-arn "$viewer_role" --query 'accessEntry.kubernetesGroups[0]' --output text)"
check "update-access-entry" "ops" "$(aws_ eks update-access-entry --cluster-name smoke --principal-arn "$viewer_role" --username ops --query accessEntry.username --output text)"
check "associate-access-policy (namespace scope)" "namespace	dev" \
    "$(aws_ eks associate-access-policy --cluster-name smoke --principal-arn "$viewer_role" --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy --access-scope type=namespace,namespaces=dev --query 'associatedAccessPolicy.accessScope.[type,namespaces[0]]' --output text)"
check "list-access-entries filtered by policy" "$viewer_role" \
    "$(aws_ eks list-access-entries --cluster-name smoke --associated-policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy --query 'accessEntries[0]' --output text)"
check "list-access-policies" "AmazonEKSViewPolicy" "$(aws_ eks list-access-policies --query "accessPolicies[?name=='AmazonEKSViewPolicy'].name" --output text)"
aws_ eks disassociate-access-policy --cluster-name smoke --principal-arn "$viewer_role" --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy
check "disassociate-access-policy" "0" "$(aws_ eks list-associated-access-policies --cluster-name smoke --principal-arn "$viewer_role" --query 'length(associatedAccessPolicies)' --output text)"
err="$(aws_ eks create-access-entry --cluster-name smoke --principal-arn "$viewer_role" 2>&1 || true)"
check_contains "duplicate access entry → ResourceInUseException" "ResourceInUseException" "$err"
err="$(aws_ eks create-access-entry --cluster-name smoke --principal-arn arn:aws:iam::123456789012:group/g 2>&1 || true)"
check_contains "group principal → InvalidParameterException" "InvalidParameterException" "$err"
err="$(aws_ eks associate-access-policy --cluster-name smoke --principal-arn "$viewer_role" --policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy --access-scope type=namespace 2>&1 || true)"
check_contains "namespace scope without namespaces → InvalidParameterException" "InvalidParameterException" "$err"
aws_ eks delete-access-entry --cluster-name smoke --principal-arn "$viewer_role"
err="$(aws_ eks describe-access-entry --cluster-name smoke --principal-arn "$viewer_role" 2>&1 || true)"
check_contains "deleted access entry → ResourceNotFoundException" "ResourceNotFoundException" "$err"
aws_ eks create-cluster --name legacy --role-arn "$role" --resources-vpc-config "subnetIds=$subnet_a,$subnet_b" --access-config authenticationMode=CONFIG_MAP >/dev/null
err="$(aws_ eks list-access-entries --cluster-name legacy 2>&1 || true)"
check_contains "access entries on a CONFIG_MAP cluster → InvalidRequestException" "InvalidRequestException" "$err"
aws_ eks delete-cluster --name legacy >/dev/null
sg="$(aws_ eks describe-cluster --name smoke --query cluster.resourcesVpcConfig.clusterSecurityGroupId --output text)"
check_contains "cluster security group exists in moto" "eks-cluster-sg-smoke-" "$(aws_ ec2 describe-security-groups --group-ids "$sg" --query 'SecurityGroups[0].GroupName' --output text)"
check "list-clusters" "smoke" "$(aws_ eks list-clusters --query 'clusters[0]' --output text)"
check "tags from create" "platform" "$(aws_ eks list-tags-for-resource --resource-arn arn:aws:eks:us-east-1:123456789012:cluster/smoke --query tags.team --output text)"

# Errors awscli understands.
err="$(aws_ eks describe-cluster --name missing 2>&1 || true)"
check_contains "missing cluster → ResourceNotFoundException" "ResourceNotFoundException" "$err"
err="$(aws_ eks create-cluster --name smoke --role-arn "$role" --resources-vpc-config "subnetIds=$subnet_a,$subnet_b" 2>&1 || true)"
check_contains "duplicate name → ResourceInUseException" "ResourceInUseException" "$err"
err="$(aws_ eks create-cluster --name other --role-arn "$role" --resources-vpc-config "subnetIds=$subnet_a,subnet-0000000000" 2>&1 || true)"
check_contains "unknown subnet → InvalidParameterException" "subnet-0000000000" "$err"
err="$(aws_ eks create-cluster --name other --role-arn "$role" --kubernetes-version 1.10 --resources-vpc-config "subnetIds=$subnet_a,$subnet_b" 2>&1 || true)"
check_contains "unsupported version → InvalidParameterException" "InvalidParameterException" "$err"

# Update: InProgress → Successful, cluster UPDATING meanwhile.
update_id="$(aws_ eks update-cluster-config --name smoke --resources-vpc-config endpointPrivateAccess=true --query update.id --output text)"
check "cluster is UPDATING during an update" "UPDATING" "$(aws_ eks describe-cluster --name smoke --query cluster.status --output text)"
check "update is InProgress" "InProgress" "$(aws_ eks describe-update --name smoke --update-id "$update_id" --query update.status --output text)"
check "list-updates" "$update_id" "$(aws_ eks list-updates --name smoke --query 'updateIds[0]' --output text)"
wait_for Successful aws_ eks describe-update --name smoke --update-id "$update_id" --query update.status --output text
check "update becomes Successful" "Successful	EndpointAccessUpdate" "$(aws_ eks describe-update --name smoke --update-id "$update_id" --query '[update.status, update.type]' --output text)"
check "update applied" "ACTIVE	True" "$(aws_ eks describe-cluster --name smoke --query '[cluster.status, cluster.resourcesVpcConfig.endpointPrivateAccess]' --output text)"

# Throttling: two ThrottlingException answers, then awscli's retry gets through.
curl -sf -X DELETE "$url/_emulator/requests" >/dev/null
fault '{"service":"eks","operation":"DescribeCluster","kind":"throttle","count":2}'
check "awscli retries through 2 EKS throttles" "ACTIVE" "$(aws_ eks describe-cluster --name smoke --query cluster.status --output text)"
check "three DescribeCluster requests logged" "3" "$(requests | python3 -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if r["operation"]=="DescribeCluster"))')"
fault '{"service":"ec2","operation":"DescribeVpcs","kind":"throttle","count":2}'
check "awscli retries through 2 EC2 RequestLimitExceeded" "$vpc" "$(aws_ ec2 describe-vpcs --vpc-ids "$vpc" --query 'Vpcs[0].VpcId' --output text)"
fault '{"service":"iam","kind":"throttle","count":1}'
check "awscli retries through an IAM Throttling" "smoke-eks" "$(aws_ iam get-role --role-name smoke-eks --query Role.RoleName --output text)"
fault '{"service":"eks","kind":"http500","count":1}'
check "awscli retries through a 500" "smoke" "$(aws_ eks list-clusters --query 'clusters[0]' --output text)"
fault '{"service":"eks","kind":"drop","count":1}'
check "awscli retries through a dropped connection" "smoke" "$(aws_ eks list-clusters --query 'clusters[0]' --output text)"
fault '{"service":"eks","operation":"ListClusters","kind":"throttle","count":10}'
err="$(aws_ eks list-clusters 2>&1 || true)"
check_contains "persistent throttling surfaces ThrottlingException" "ThrottlingException" "$err"
curl -sf -X DELETE "$url/_emulator/faults" >/dev/null
log="$(requests | python3 -c 'import json,sys; r=json.load(sys.stdin); print(" ".join(sorted({x["operation"]+":"+str(x["mutating"]) for x in r if x["service"] in ("eks","iam","ec2")})))')"
check_contains "request log names operations and mutation" "DescribeCluster:False DescribeVpcs:False GetRole:False ListClusters:False" "$log"

# Node groups: an Auto Scaling group in moto per node group, spread over the subnets' zones.
ng="$(aws_ eks create-nodegroup --cluster-name smoke --nodegroup-name workers --subnets "$subnet_a" "$subnet_b" --node-role "$role" \
    --scaling-config minSize=1,maxSize=4,desiredSize=2 --instance-types t3.large --labels role=web --taints key=dedicated,value=web,effect=NO_SCHEDULE \
    --tags k8s.io/cluster-autoscaler/enabled=true --query nodegroup.status --output text)"
check "create-nodegroup answers CREATING" "CREATING" "$ng"
asg="$(aws_ eks describe-nodegroup --cluster-name smoke --nodegroup-name workers --query 'nodegroup.resources.autoScalingGroups[0].name' --output text)"
check_contains "node group names its Auto Scaling group" "eks-workers-" "$asg"
check "ASG sizes follow scalingConfig" "1	4	2" "$(aws_ autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$asg" --query 'AutoScalingGroups[0].[MinSize,MaxSize,DesiredCapacity]' --output text)"
check "ASG instances spread over both zones" "us-east-1a us-east-1b" "$(aws_ autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$asg" --query 'AutoScalingGroups[0].Instances[].AvailabilityZone' --output text | tr '\t' '\n' | sort | xargs)"
check "ASG tags name cluster, node group and autoscaler discovery" "true	smoke	workers" "$(aws_ autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$asg" --query "AutoScalingGroups[0].[Tags[?Key=='k8s.io/cluster-autoscaler/enabled'].Value|[0], Tags[?Key=='eks:cluster-name'].Value|[0], Tags[?Key=='eks:nodegroup-name'].Value|[0]]" --output text)"
check "ASG instances run in EC2 as t3.large" "t3.large t3.large" "$(aws_ ec2 describe-instances --filters Name=tag:eks:nodegroup-name,Values=workers Name=instance-state-name,Values=running --query 'Reservations[].Instances[].InstanceType' --output text | xargs)"
wait_for ACTIVE aws_ eks describe-nodegroup --cluster-name smoke --nodegroup-name workers --query nodegroup.status --output text
check "list-nodegroups" "workers" "$(aws_ eks list-nodegroups --cluster-name smoke --query 'nodegroups[0]' --output text)"
check "node group shape" "t3.large	web	NO_SCHEDULE	20" "$(aws_ eks describe-nodegroup --cluster-name smoke --nodegroup-name workers --query 'nodegroup.[instanceTypes[0], labels.role, taints[0].effect, diskSize]' --output text)"
err="$(aws_ eks create-nodegroup --cluster-name smoke --nodegroup-name workers --subnets "$subnet_a" --node-role "$role" 2>&1 || true)"
check_contains "duplicate node group → ResourceInUseException" "ResourceInUseException" "$err"
err="$(aws_ eks create-nodegroup --cluster-name smoke --nodegroup-name bad --subnets "$subnet_a" --node-role "$role" --scaling-config minSize=3,maxSize=4,desiredSize=2 2>&1 || true)"
check_contains "desired below min → InvalidParameterException" "InvalidParameterException" "$err"
err="$(aws_ eks create-nodegroup --cluster-name smoke --nodegroup-name bad --subnets subnet-0000000000 --node-role "$role" 2>&1 || true)"
check_contains "unknown node group subnet → InvalidParameterException" "subnet-0000000000" "$err"

# Scaling: UPDATING with a ConfigUpdate InProgress → Successful; the ASG follows.
ng_update="$(aws_ eks update-nodegroup-config --cluster-name smoke --nodegroup-name workers --scaling-config desiredSize=3 --query update.id --output text)"
err="$(aws_ eks update-nodegroup-config --cluster-name smoke --nodegroup-name workers --scaling-config desiredSize=2 2>&1 || true)"
check_contains "second update while UPDATING → ResourceInUseException" "ResourceInUseException" "$err"
check "node group is UPDATING during a config update" "UPDATING" "$(aws_ eks describe-nodegroup --cluster-name smoke --nodegroup-name workers --query nodegroup.status --output text)"
check "node group update is InProgress" "InProgress	ConfigUpdate" "$(aws_ eks describe-update --name smoke --nodegroup-name workers --update-id "$ng_update" --query '[update.status, update.type]' --output text)"
check "list-updates for the node group" "$ng_update" "$(aws_ eks list-updates --name smoke --nodegroup-name workers --query 'updateIds[0]' --output text)"
check "ASG desired follows the update" "3" "$(aws_ autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$asg" --query 'AutoScalingGroups[0].DesiredCapacity' --output text)"
wait_for Successful aws_ eks describe-update --name smoke --nodegroup-name workers --update-id "$ng_update" --query update.status --output text
check "update applied to the node group" "ACTIVE	3" "$(aws_ eks describe-nodegroup --cluster-name smoke --nodegroup-name workers --query '[nodegroup.status, nodegroup.scalingConfig.desiredSize]' --output text)"
err="$(aws_ eks update-nodegroup-config --cluster-name smoke --nodegroup-name workers --scaling-config desiredSize=9 2>&1 || true)"
check_contains "desired above max → InvalidParameterException" "InvalidParameterException" "$err"
err="$(aws_ eks delete-cluster --name smoke 2>&1 || true)"
check_contains "delete with node groups → ResourceInUseException" "ResourceInUseException" "$err"
check "delete-nodegroup answers DELETING" "DELETING" "$(aws_ eks delete-nodegroup --cluster-name smoke --nodegroup-name workers --query nodegroup.status --output text)"
wait_for ResourceNotFoundException aws_ eks describe-nodegroup --cluster-name smoke --nodegroup-name workers
check "ASG deleted with the node group" "0" "$(aws_ autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$asg" --query 'length(AutoScalingGroups)' --output text)"
check "delete-cluster answers DELETING" "DELETING" "$(aws_ eks delete-cluster --name smoke --query cluster.status --output text)"
wait_for ResourceNotFoundException aws_ eks describe-cluster --name smoke
check "cluster gone after delete" "0" "$(aws_ eks list-clusters --query 'length(clusters)' --output text)"

# Reset clears moto too.
curl -sf -X POST "$url/_emulator/reset" >/dev/null
check "reset clears moto" "0" "$(aws_ ec2 describe-vpcs --filters Name=cidr,Values=10.0.0.0/16 --query 'length(Vpcs)' --output text)"
check "reset clears the request log" "1" "$(requests | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"

echo "smoke: $failures failure(s)"
[[ $failures -eq 0 ]]

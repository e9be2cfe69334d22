using EksModule.Engine.LoadBalancing;
using k8s.Models;
using Xunit;

namespace EksModule.Tests.LoadBalancing;

public class LoadBalancerAnnotationTests
{
    private static LoadBalancerRequest Request(LoadBalancerType type, string scheme = "internet-facing", string targetType = "instance",
        string? certificate = null, Dictionary<string, string>? extra = null)
        => new("c", "default", null, "web", new Dictionary<string, string> { ["app"] = "web" }, new[] { 443, 8443 }, null, "TCP",
            type, scheme, targetType, certificate, extra);

    [Fact]
    public void Network_asks_the_lb_controller_for_an_nlb_with_target_type_and_scheme()
    {
        var annotations = LoadBalancerService.ServiceAnnotations(Request(LoadBalancerType.Network, "internal", "ip"));
        Assert.Equal("external", annotations["service.beta.kubernetes.io/aws-load-balancer-type"]);
        Assert.Equal("ip", annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"]);
        Assert.Equal("internal", annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]);
    }

    [Fact]
    public void Classic_has_no_type_annotation_and_marks_internal_the_in_tree_way()
    {
        Assert.Empty(LoadBalancerService.ServiceAnnotations(Request(LoadBalancerType.Classic)));
        var internalOne = LoadBalancerService.ServiceAnnotations(Request(LoadBalancerType.Classic, "internal"));
        Assert.Equal("true", Assert.Single(internalOne).Value);
    }

    [Fact]
    public void A_certificate_makes_every_port_a_tls_port_and_user_annotations_win()
    {
        var annotations = LoadBalancerService.ServiceAnnotations(Request(LoadBalancerType.Network, certificate: "arn:aws:acm:us-east-1:1:certificate/x",
            extra: new() { ["service.beta.kubernetes.io/aws-load-balancer-scheme"] = "internal" }));
        Assert.Equal("443,8443", annotations["service.beta.kubernetes.io/aws-load-balancer-ssl-ports"]);
        Assert.Equal("internal", annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]);
    }

    [Fact]
    public void Application_annotates_the_ingress_with_scheme_target_type_and_https_listener()
    {
        var annotations = LoadBalancerService.IngressAnnotations(Request(LoadBalancerType.Application, certificate: "arn:cert"));
        Assert.Equal("internet-facing", annotations["alb.ingress.kubernetes.io/scheme"]);
        Assert.Equal("instance", annotations["alb.ingress.kubernetes.io/target-type"]);
        Assert.Equal("arn:cert", annotations["alb.ingress.kubernetes.io/certificate-arn"]);
        Assert.Equal("[{\"HTTPS\":443}]", annotations["alb.ingress.kubernetes.io/listen-ports"]);
        Assert.Empty(LoadBalancerService.ServiceAnnotations(Request(LoadBalancerType.Application)));
    }

    [Theory]
    [InlineData("LoadBalancer", null, LoadBalancerType.Classic)]
    [InlineData("LoadBalancer", "external", LoadBalancerType.Network)]
    [InlineData("LoadBalancer", "nlb", LoadBalancerType.Network)]
    [InlineData("ClusterIP", "external", null)]
    public void KindOf_reads_the_load_balancer_a_service_asks_for(string type, string? lbType, LoadBalancerType? expected)
    {
        var service = new V1Service
        {
            Metadata = new V1ObjectMeta { Annotations = lbType is null ? null : new Dictionary<string, string> { [LoadBalancerService.TypeAnnotation] = lbType } },
            Spec = new V1ServiceSpec { Type = type },
        };
        Assert.Equal(expected, LoadBalancerService.KindOf(service));
    }
}

using System.Net;
using EksEmulator;
using EksEmulator.CloudTrail;
using EksEmulator.Control;
using EksEmulator.Eks;
using EksEmulator.FrontDoor;
using EksEmulator.Iam;
using EksEmulator.Kube;
using EksEmulator.Moto;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

EmulatorOptions options;
try
{
    options = EmulatorOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// Command-line parsing is ours; the host sees no arguments so '--port' is not mistaken for configuration.
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port));

var motoHttp = new HttpClient(new SocketsHttpHandler
{
    AllowAutoRedirect = false,
    UseCookies = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseProxy = false,
})
{
    BaseAddress = options.MotoUrl,
    Timeout = TimeSpan.FromSeconds(60),
};
builder.Services.AddSingleton(motoHttp);
builder.Services.AddSingleton(options.Timings);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<MotoClient>();
builder.Services.AddSingleton<MotoProxy>();
builder.Services.AddSingleton<Ec2DependencyGuard>();
builder.Services.AddSingleton<RequestLog>();
builder.Services.AddSingleton<FaultInjector>();
builder.Services.AddSingleton<UpdateFailureInjector>();
builder.Services.AddSingleton<EksStore>();
builder.Services.AddSingleton<EksService>();
builder.Services.AddSingleton<AwsCredentialBook>();
builder.Services.AddSingleton<EventHistory>();
builder.Services.AddSingleton<CallerIdentities>();
builder.Services.AddSingleton<EksTrailRecorder>();
builder.Services.AddSingleton<EksTokenVerifier>();
builder.Services.AddSingleton<CloudLoadBalancerController>();
builder.Services.AddSingleton<KubeApiHandler>();
builder.Services.AddSingleton<KubeApiHost>();
builder.Services.AddHostedService<NodeController>();
builder.Services.AddHostedService<VpcCniController>();

var app = builder.Build();
app.UseRouting();
app.UseMiddleware<FrontDoorMiddleware>();
app.MapControlApi();
app.MapEks();

await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var port = new Uri(address).Port;
Console.Out.WriteLine($"EMULATOR_URL=http://127.0.0.1:{port}");
Console.Out.Flush();
await app.WaitForShutdownAsync();
return 0;
